"""Running on a Hugging Face Space: ZeroGPU wrapping and output retention (no torch here)."""
