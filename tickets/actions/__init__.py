"""The catalogue of ticket actions (catalogue.py, its shape in spec.py) and what every interface
needs to read it: the Django forms the console and the admin render (forms.py) and the HTTP
status of a refusal (refusals.py). The API builds its serializers in tickets/api/actions.py."""
