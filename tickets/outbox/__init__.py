"""Side effects kept as rows (an outbox): status callbacks to channels, notices to people. Both
are delivered after commit by tasks and re-queued by the intake sweeper if a message is lost."""
