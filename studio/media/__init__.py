"""Media building blocks: images in; videos, GIFs and frame zips out; optical flow and interpolation (numpy / PIL / OpenCV / ffmpeg, no torch)."""
