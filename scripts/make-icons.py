#!/usr/bin/env python3
"""Renders the application icon (a person with a check mark on a rounded blue square) in every
size Tauri's Linux, Windows and macOS bundles need. Run once; the output is committed in icons/.
Needs `rsvg-convert` (librsvg2-bin) and ImageMagick's `convert`."""
import struct
import subprocess
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "icons"
SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="1024" height="1024" viewBox="0 0 1024 1024">
  <rect x="48" y="48" width="928" height="928" rx="200" fill="#0b5cad"/>
  <circle cx="430" cy="360" r="150" fill="#ffffff"/>
  <path d="M170 820 C170 620 290 540 430 540 C570 540 690 620 690 820 Z" fill="#ffffff"/>
  <circle cx="730" cy="720" r="190" fill="#1f9d55" stroke="#0b5cad" stroke-width="36"/>
  <path d="M640 722 L705 787 L830 662" fill="none" stroke="#ffffff" stroke-width="58"
        stroke-linecap="round" stroke-linejoin="round"/>
</svg>"""


def render(size: int, out: Path) -> None:
    subprocess.run(["rsvg-convert", "-w", str(size), "-h", str(size), "-o", str(out)],
                   input=SVG.encode(), check=True)


def main() -> None:
    ICONS.mkdir(exist_ok=True)
    (ICONS / "icon.svg").write_text(SVG)
    for size, name in [(32, "32x32.png"), (128, "128x128.png"), (256, "128x128@2x.png"),
                       (512, "icon.png"), (1024, "icon-1024.png"), (16, "16x16.png"),
                       (48, "48x48.png"), (64, "64x64.png")]:
        render(size, ICONS / name)
    # Windows: a multi-size .ico.
    subprocess.run(["convert", *(str(ICONS / n) for n in
                                 ["16x16.png", "32x32.png", "48x48.png", "64x64.png", "128x128@2x.png"]),
                    str(ICONS / "icon.ico")], check=True)
    # macOS: an .icns holding PNGs (ic07 = 128, ic08 = 256, ic09 = 512, ic10 = 1024).
    chunks = b""
    for kind, name in [(b"ic07", "128x128.png"), (b"ic08", "128x128@2x.png"),
                       (b"ic09", "icon.png"), (b"ic10", "icon-1024.png")]:
        data = (ICONS / name).read_bytes()
        chunks += kind + struct.pack(">I", len(data) + 8) + data
    (ICONS / "icon.icns").write_bytes(b"icns" + struct.pack(">I", len(chunks) + 8) + chunks)
    for tmp in ["16x16.png", "48x48.png", "64x64.png", "icon-1024.png"]:
        (ICONS / tmp).unlink()


if __name__ == "__main__":
    main()
