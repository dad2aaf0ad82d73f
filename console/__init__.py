"""The caseworkers' web console: server-rendered pages (htmx for live parts) over the services."""
