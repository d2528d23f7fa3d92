"""Abstract, pleasant pictures for the demo's practices and events, drawn with Pillow at seed time
(no binaries in the repository): a soft diagonal gradient in the project's blues with a few translucent
circles, rounded bars and a «quality mark» ring. No text, so no caption to translate or misread."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 960, 640
PALETTES = [
    ((11, 78, 162), (132, 181, 221), (242, 183, 5)),
    ((29, 107, 47), (183, 220, 192), (11, 78, 162)),
    ((200, 16, 46), (250, 214, 165), (11, 61, 120)),
    ((8, 58, 120), (222, 235, 247), (200, 16, 46)),
    ((138, 83, 0), (255, 236, 179), (29, 107, 47)),
]


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))


def picture(seed: int) -> bytes:
    """A PNG of WIDTH × HEIGHT; the same seed draws the same picture."""
    rng = random.Random(seed)  # noqa: S311 - shapes for a demo picture, not a secret
    dark, light, accent = PALETTES[seed % len(PALETTES)]
    # The gradient: drawn small and scaled up (smooth, and fast enough for a demo seed).
    small = Image.new("RGB", (48, 32))
    small.putdata([_mix(light, dark, min(1.0, x / 47 * 0.6 + y / 31 * 0.4)) for y in range(32) for x in range(48)])
    image = small.resize((WIDTH, HEIGHT), Image.Resampling.BICUBIC).convert("RGBA")
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for _ in range(rng.randint(5, 8)):
        r = rng.randint(40, 190)
        x, y = rng.randint(-r, WIDTH), rng.randint(-r, HEIGHT)
        tone = rng.choice([(255, 255, 255), light, accent])
        draw.ellipse((x, y, x + 2 * r, y + 2 * r), fill=(*tone, rng.randint(40, 110)))
    for i in range(rng.randint(3, 5)):  # rounded bars rising like a chart
        w = 70
        h = rng.randint(90, 300)
        x = 80 + i * (w + 30)
        draw.rounded_rectangle((x, HEIGHT - 60 - h, x + w, HEIGHT - 60), radius=14, fill=(255, 255, 255, 150))
    cx, cy, ring = rng.randint(560, 780), rng.randint(160, 300), rng.randint(90, 130)
    draw.ellipse((cx - ring, cy - ring, cx + ring, cy + ring), outline=(*accent, 230), width=22)
    draw.line(
        (cx - ring // 2, cy, cx - ring // 8, cy + ring // 2, cx + ring // 2, cy - ring // 2),
        fill=(255, 255, 255, 235),
        width=22,
        joint="curve",
    )
    image = Image.alpha_composite(image, layer.filter(ImageFilter.GaussianBlur(1.2))).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()
