"""Jobs: the persistent queue every generation goes through (no torch here)."""
