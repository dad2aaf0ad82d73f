"""Everything that exists to demonstrate the service (make demo): simulated channels and their
traffic, demo people and tickets, the synthetic starting model. Production code never imports it
(an import-linter contract)."""
