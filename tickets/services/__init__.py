"""The ticket's use cases: lifecycle.py (create, move, work, follow up, edit), privacy.py (revealing
personal data, audited), and transitions.py, the one shape every change takes."""
