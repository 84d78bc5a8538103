"""Media building blocks: images in, videos out (numpy / PIL / moviepy, no torch)."""
