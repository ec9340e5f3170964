"""The task system: the extraction manager, its queue, jobs and signals (QtCore only)."""
