"""Below every other part of tickets/: the trail writer, errors, numbering, citizens' text and
masking of personal numbers, webhook signing, which tickets a user may see, tasks by name."""
