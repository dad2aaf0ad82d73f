"""Who handles a ticket: the routing hand-off and the router call, urgency, choosing a person on
duty, dispatch by the centre (one or many), transfers, returns with approval, binding rulings,
assisting units, and duplicate detection."""
