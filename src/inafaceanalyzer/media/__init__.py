"""Frame sources: still images (and video, in :mod:`.video`)."""

from .images import image_frames, load_image

__all__ = ["image_frames", "load_image"]
