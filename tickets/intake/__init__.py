"""Intake: signed webhooks, one adapter per channel family, raw records first."""
