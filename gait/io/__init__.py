"""Importers: every supported file format to the canonical :class:`~gait.recording.Recording`."""
