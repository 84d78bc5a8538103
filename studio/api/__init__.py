"""REST adapter under /api/v1 (FastAPI)."""
