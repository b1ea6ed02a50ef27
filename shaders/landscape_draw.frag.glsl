#version 300 es
// Pass 2 of the Error landscape: paints the plot from pass 1's exact errors
// (landscape_error.frag.glsl). Each pixel column reads its texel per format:
//   - a translucent band over the column's error envelope, and a line along
//     its outer edge (joined to the neighbouring columns)
//   - regions where the format's values are subnormal: a light tint at the
//     bottom strip; where x overflows it: a red wash
//   - the format's representable values as ticks once they are at least
//     kTickSpacing columns apart
precision highp float;
precision highp int;
precision highp usampler2D;

uniform usampler2D u_errors;  // columns x formats, RGBA32UI
uniform int u_formats;
uniform vec3 u_colors[8];
uniform float u_height;      // pixels
uniform uint u_log_y;        // 1: |error| on a log10 axis, 0: signed error, linear
uniform float u_y0, u_y1;    // axis range: log10 |error| or signed error

out vec4 o_color;

const uint kFlagSubnormal = 1u;
const uint kFlagOverflow = 2u;
const uint kFlagRepresentable = 4u;
const uint kFlagAnyOverflow = 8u;
const uint kFlagZero = 16u;
const int kTickSpacing = 4;       // columns between ticks before they are drawn
const float kStripHeight = 5.0;   // pixels per format in the bottom strip
const float kTickHeight = 7.0;    // pixels per format in the top tick rows

float to_y(float v) {
  float t;
  if (u_log_y == 1u) {
    if (!(abs(v) > 0.0)) return -1e9;
    t = (log(abs(v)) / log(10.0) - u_y0) / (u_y1 - u_y0);
  } else {
    t = (v - u_y0) / (u_y1 - u_y0);
  }
  return t * u_height;
}

// The envelope of a texel in axis pixels: (low, high).
vec2 envelope(uvec4 texel) {
  float lo = uintBitsToFloat(texel.g), hi = uintBitsToFloat(texel.b);
  if (u_log_y == 1u) {
    float a = abs(lo), b = abs(hi);
    float top = max(a, b);
    float bottom = (lo <= 0.0 && hi >= 0.0) ? 0.0 : min(a, b);
    return vec2(to_y(bottom), to_y(top));
  }
  return vec2(to_y(lo), to_y(hi));
}

// Porter-Duff "over" with straight (not premultiplied) alpha, which is what
// ImGui's blending expects of the image.
vec4 over(vec4 dst, vec3 color, float alpha) {
  float a = alpha + dst.a * (1.0 - alpha);
  return vec4((color * alpha + dst.rgb * dst.a * (1.0 - alpha)) / max(a, 1e-6), a);
}

void main() {
  ivec2 size = textureSize(u_errors, 0);
  int column = int(gl_FragCoord.x);
  float y = gl_FragCoord.y;  // from the bottom
  vec4 color = vec4(0.0);
  // Overflow washes first (underneath everything).
  for (int f = 0; f < u_formats; ++f) {
    uvec4 t = texelFetch(u_errors, ivec2(column, f), 0);
    if ((t.a & (kFlagOverflow | kFlagAnyOverflow)) != 0u) color.a = max(color.a, 0.10);
  }
  vec4 result = vec4(vec3(0.86, 0.18, 0.16), color.a);

  for (int f = 0; f < u_formats; ++f) {
    uvec4 t = texelFetch(u_errors, ivec2(column, f), 0);
    vec3 c = u_colors[f];
    if ((t.a & (kFlagOverflow | kFlagZero)) == 0u) {
      vec2 e = envelope(t);
      float bottom = max(e.x, -2.0), top = e.y;
      if (y >= bottom && y <= top + 1.0) result = over(result, c, 0.16);
      // The outer edge, joined to the neighbours' edges.
      float edge = u_log_y == 1u ? top : (abs(uintBitsToFloat(t.g)) > abs(uintBitsToFloat(t.b)) ? e.x : e.y);
      float lo_edge = edge, hi_edge = edge;
      for (int dx = -1; dx <= 1; dx += 2) {
        int nc = column + dx;
        if (nc < 0 || nc >= size.x) continue;
        uvec4 n = texelFetch(u_errors, ivec2(nc, f), 0);
        if ((n.a & (kFlagOverflow | kFlagZero)) != 0u) continue;
        vec2 ne = envelope(n);
        float nedge = u_log_y == 1u ? ne.y : (abs(uintBitsToFloat(n.g)) > abs(uintBitsToFloat(n.b)) ? ne.x : ne.y);
        float mid = 0.5 * (edge + nedge);
        lo_edge = min(lo_edge, mid);
        hi_edge = max(hi_edge, mid);
      }
      if (u_log_y == 0u) {
        // Signed: both edges of the band are the curve.
        if (y >= min(e.x, e.y) - 0.75 && y <= max(e.x, e.y) + 0.75) result = over(result, c, 0.85);
      } else if (y >= lo_edge - 0.8 && y <= hi_edge + 0.8) {
        result = over(result, c, 0.95);
      }
    }
    // Bottom strip: normal / subnormal / overflow per format.
    float strip0 = float(f) * kStripHeight;
    if (y >= strip0 && y < strip0 + kStripHeight - 1.0) {
      if ((t.a & kFlagOverflow) != 0u) result = vec4(0.86, 0.18, 0.16, 1.0);
      else if ((t.a & kFlagSubnormal) != 0u) result = over(result, c, 0.35);
      else result = vec4(c, 1.0);
    }
    // Ticks at representable values, when they are far enough apart.
    if ((t.a & kFlagRepresentable) != 0u) {
      bool sparse = true;
      for (int dx = -kTickSpacing + 1; dx < kTickSpacing; ++dx) {
        int nc = column + dx;
        if (dx == 0 || nc < 0 || nc >= size.x) continue;
        if ((texelFetch(u_errors, ivec2(nc, f), 0).a & kFlagRepresentable) != 0u) sparse = false;
      }
      float row0 = u_height - float(f + 1) * kTickHeight;
      if (sparse && y >= row0 && y < row0 + kTickHeight - 1.0) result = vec4(c, 1.0);
    }
  }
  o_color = result;
}
