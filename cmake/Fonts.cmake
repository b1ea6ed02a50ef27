# Fonts for the web app: Inter (UI text) and JetBrains Mono (bits and numbers),
# from Debian's fonts-inter and fonts-jetbrains-mono, subset with pyftsubset to
# the characters the UI uses (keeps the wasm small), then embedded.
#
# The character set is written once, here: it drives both pyftsubset and the
# glyph ranges ImGui bakes (generated header `font_ranges.h`).

set(MANTISSA_FONT_INTER "/usr/share/fonts/opentype/inter/Inter-Regular.otf"
    CACHE FILEPATH "Inter font for UI text")
set(MANTISSA_FONT_MONO "/usr/share/fonts/truetype/jetbrains-mono/JetBrainsMono-Regular.ttf"
    CACHE FILEPATH "JetBrains Mono font for bits and numbers")

# Inclusive code point ranges, as "first-last" in hex.
set(MANTISSA_FONT_RANGES
  0020-007E     # ASCII
  00A0-00FF     # Latin-1: × ÷ ± · ² ³ ¹ ¼ ½ ¾ µ ...
  0394-0394     # Δ
  03B5-03B5     # ε
  03BC-03BC     # μ
  03C3-03C3     # σ
  2013-2014     # – —
  2018-201D     # ‘ ’ “ ”
  2022-2022     # •
  2026-2026     # …
  2070-2071     # ⁰ ⁱ
  2074-208E     # ⁴-⁹ ⁺ ⁻ ⁼ ⁽ ⁾ ⁿ ₀-₉ ₊ ₋ ₌ ₍ ₎
  2190-2199     # ← ↑ → ↓ ↔ ↕ ↖ ↗ ↘ ↙
  21D0-21D4     # ⇐ ⇑ ⇒ ⇓ ⇔
  2212-2212     # −
  2219-221A     # ∙ √
  221E-221E     # ∞
  2248-2248     # ≈
  2260-2260     # ≠
  2264-2265     # ≤ ≥
  25A0-25A1     # ■ □
  25B2-25B2     # ▲
  25B6-25B6     # ▶
  25BC-25BC     # ▼
  25C0-25C0     # ◀
  25CF-25CF     # ●
  26A0-26A0     # ⚠
  2713-2713     # ✓
  2717-2717     # ✗
)

find_program(PYFTSUBSET pyftsubset REQUIRED)

set(_unicodes "")
set(_ranges "")
foreach(range IN LISTS MANTISSA_FONT_RANGES)
  string(REPLACE "-" ";" ends "${range}")
  list(GET ends 0 first)
  list(GET ends 1 last)
  list(APPEND _unicodes "U+${first}-${last}")
  string(APPEND _ranges "    0x${first}, 0x${last},\n")
endforeach()
string(REPLACE ";" "," MANTISSA_FONT_UNICODES "${_unicodes}")
set(MANTISSA_FONT_RANGES_C "${_ranges}")
configure_file("${CMAKE_CURRENT_LIST_DIR}/font_ranges.h.in" "${PROJECT_BINARY_DIR}/generated/font_ranges.h" @ONLY)

# mantissa_subset_font(<out-var> <font> <name>): custom command producing the
# subset font in the build tree; <out-var> receives its path.
function(mantissa_subset_font out_var font name)
  get_filename_component(ext "${font}" LAST_EXT)
  set(out "${PROJECT_BINARY_DIR}/fonts/${name}${ext}")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${PROJECT_BINARY_DIR}/fonts"
    COMMAND "${PYFTSUBSET}" "${font}" "--unicodes=${MANTISSA_FONT_UNICODES}"
            --layout-features=kern,liga,calt,tnum --no-hinting --desubroutinize
            "--output-file=${out}"
    DEPENDS "${font}" "${CMAKE_CURRENT_FUNCTION_LIST_FILE}"
    COMMENT "Subsetting ${name} font"
    VERBATIM)
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()

# mantissa_embed_fonts(<target>): subset and embed both fonts into <target>.
# Symbols: font_inter, font_mono (see cmake/EmbedFile.cmake).
function(mantissa_embed_fonts target)
  mantissa_subset_font(inter "${MANTISSA_FONT_INTER}" inter)
  mantissa_subset_font(mono "${MANTISSA_FONT_MONO}" jetbrains_mono)
  mantissa_embed_file(${target} font_inter "${inter}")
  mantissa_embed_file(${target} font_mono "${mono}")
endfunction()
