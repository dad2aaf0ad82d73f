"""Reads for the interfaces: work queues, workload, the overview, reports. Plain typed functions
over querysets; no writes."""
