#!/usr/bin/env python3
"""Draws the demo catalogue's product pictures (public/images/<sku>.svg) from
public/catalogue.json: one simple glyph per category, a colour per product. Run it again
after editing the catalogue; the output is committed."""
import html
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
GLYPHS = {
    # jacket
    "jacken": '<path d="M70 40 L100 52 L130 40 L160 62 L148 92 L136 86 L136 160 L64 160 L64 86 L52 92 L40 62 Z" fill="{c}"/><path d="M100 52 L100 160" stroke="#fff" stroke-width="3" opacity=".7"/>',
    # boot
    "schuhe": '<path d="M62 50 L104 50 L106 112 L150 126 Q162 132 160 146 L160 152 L50 152 L52 120 Z" fill="{c}"/><rect x="48" y="148" width="114" height="12" rx="4" fill="#3a3a3a"/>',
    # backpack
    "rucksaecke": '<rect x="60" y="52" width="80" height="108" rx="22" fill="{c}"/><path d="M82 52 Q82 34 100 34 Q118 34 118 52" stroke="{c}" stroke-width="8" fill="none"/><rect x="74" y="104" width="52" height="34" rx="8" fill="#fff" opacity=".35"/>',
    # tent
    "schlafen": '<path d="M30 150 L100 50 L170 150 Z" fill="{c}"/><path d="M100 50 L84 150 L116 150 Z" fill="#fff" opacity=".35"/><rect x="24" y="148" width="152" height="6" fill="#3a3a3a"/>',
    # pot with steam
    "kochen": '<rect x="54" y="92" width="92" height="62" rx="10" fill="{c}"/><rect x="44" y="86" width="112" height="12" rx="6" fill="{c}"/><path d="M80 74 Q72 62 80 50 M100 74 Q92 62 100 50 M120 74 Q112 62 120 50" stroke="{c}" stroke-width="5" fill="none" stroke-linecap="round"/>',
    # compass
    "zubehoer": '<circle cx="100" cy="100" r="56" fill="{c}"/><circle cx="100" cy="100" r="44" fill="#fff" opacity=".85"/><path d="M100 62 L112 100 L100 138 L88 100 Z" fill="{c}"/><circle cx="100" cy="100" r="6" fill="#3a3a3a"/>',
}
BACKGROUNDS = {"jacken": "#e8f0f7", "schuhe": "#f5ece3", "rucksaecke": "#eef4e8",
               "schlafen": "#f1ecf6", "kochen": "#f8efe6", "zubehoer": "#eaf3f2"}
PALETTE = ["#c0392b", "#2c6e9b", "#2e7d4f", "#8e5a2b", "#6c4b9c", "#d4802a", "#3d4f5c"]


def main() -> None:
    catalogue = json.loads((ROOT / "public" / "catalogue.json").read_text(encoding="utf-8"))
    out = ROOT / "public" / "images"
    out.mkdir(exist_ok=True)
    for index, product in enumerate(catalogue["products"]):
        colour = PALETTE[index % len(PALETTE)]
        category = product["category"]
        svg = (
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" width="200" height="200">'
            f'<title>{html.escape(product["title"])}</title>'
            f'<rect width="200" height="200" fill="{BACKGROUNDS[category]}"/>'
            + GLYPHS[category].format(c=colour)
            + "</svg>\n"
        )
        (out / f'{product["sku"]}.svg').write_text(svg, encoding="utf-8")


if __name__ == "__main__":
    main()
