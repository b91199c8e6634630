"""Your sessions over time: an SQLite history that reports add to, and `posecheck history`."""

from posecheck.history.store import HistoryStore, data_dir, open_history

__all__ = ["HistoryStore", "data_dir", "open_history"]
