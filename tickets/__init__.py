"""The unified ticket: channels, tickets, their lifecycle and the append-only event log."""
