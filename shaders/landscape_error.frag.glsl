#version 300 es
// Pass 1 of the Error landscape: for pixel column c and format row f, the
// relative error of storing x in format f (round to nearest, ties to even),
// computed exactly with integer operations on x's fp32 bits: no float
// arithmetic touches x, so subnormal inputs and GPUs that flush them make no
// difference, and the result is the correctly rounded fp32 of the exact
// (stored - x) / x.
//
// Output (RGBA32UI), one texel per (column, format):
//   r  signed relative error at the column's centre sample, as fp32 bits
//   g  smallest signed relative error over the column's samples (fp32 bits)
//   b  largest (fp32 bits)
//   a  flags (kFlag* below)
//
// The C++ side (panel_landscape.cpp, landscape_sample_bits) computes the same
// sample positions, so a test can check any texel against the core.
precision highp float;
precision highp int;

uniform uint u_mode;       // 0: log axis (x linear in fp32 bit patterns), 1: linear axis
uniform uint u_lo;         // log: bits of the first x; linear: first x as an integer count of quanta
uniform uint u_span;       // log: bit-pattern span; linear: span in quanta
uniform int u_quantum_exp; // linear: x = count * 2^u_quantum_exp
uniform uint u_positions;  // columns * samples per column (<= 65536)
uniform uint u_samples;    // samples per column
// The formats, one per output row: stored fraction bits, smallest normal
// exponent, largest exponent, largest finite significand (in units of the
// top binade's quantum).
uniform int u_man_bits[8];
uniform int u_emin[8];
uniform int u_emax[8];
uniform uint u_max_significand[8];

out uvec4 o_result;

const uint kFlagSubnormal = 1u;     // centre sample below the format's smallest normal
const uint kFlagOverflow = 2u;      // centre sample rounds to inf (or NaN for fn formats)
const uint kFlagRepresentable = 4u; // a value of the format lies in the column
const uint kFlagAnyOverflow = 8u;   // some sample overflows
const uint kFlagZero = 16u;         // centre sample is x = 0 (no relative error)
const uint kFlagAnySubnormal = 32u;
const uint kFlagExact = 64u;        // centre sample is representable

const uint kFp32FractionMask = 0x7fffffu;  // 23 stored fraction bits
const uint kFp32HiddenBit = 0x800000u;
const int kFp32LsbExpOfNormal = 150;        // bias 127 + 23 fraction bits
const int kFp32SubnormalLsbExp = -149;      // 2^-126 * 2^-23
const uint kPositiveInfBits = 0x7f800000u;

// Index of the highest set bit of v > 0 (GLSL ES 3.00 has no findMSB).
int msb(uint v) {
  int r = 0;
  if (v >= 0x10000u) { v >>= 16; r += 16; }
  if (v >= 0x100u) { v >>= 8; r += 8; }
  if (v >= 0x10u) { v >>= 4; r += 4; }
  if (v >= 0x4u) { v >>= 2; r += 2; }
  if (v >= 0x2u) r += 1;
  return r;
}

// x at sample position t (0 .. u_positions), as fp32 bits. Exact integer
// arithmetic: floor(t * span / positions) without 64-bit products.
uint sample_bits(uint t) {
  uint q = u_span / u_positions, r = u_span % u_positions;
  uint offset = t * q + (t * r) / u_positions;
  if (u_mode == 0u) return u_lo + offset;
  uint n = u_lo + offset;  // x = n * 2^u_quantum_exp, n < 2^24: exact in fp32
  if (n == 0u) return 0u;
  int msb = msb(n);
  int lead = msb + u_quantum_exp;
  if (lead >= -126) return (uint(lead + 127) << 23) | ((n << uint(23 - msb)) & kFp32FractionMask);
  return n << uint(u_quantum_exp - kFp32SubnormalLsbExp);  // fp32 subnormal
}

// x (positive fp32 bits, non-zero) as m * 2^e with m an integer.
void split(uint bits, out uint m, out int e) {
  uint field = bits >> 23;
  if (field == 0u) {
    m = bits & kFp32FractionMask;
    e = kFp32SubnormalLsbExp;
  } else {
    m = (bits & kFp32FractionMask) | kFp32HiddenBit;
    e = int(field) - kFp32LsbExpOfNormal;
  }
}

// The exact quotient a / b (a, b < 2^26, b > 0) rounded to the nearest fp32,
// ties to even, as bits: restoring long division for 24 quotient bits, then
// a round bit and a sticky bit. The quotients here lie in [2^-26, 1]: always
// normal fp32 numbers.
uint divide_rne(uint a, uint b) {
  if (a == 0u) return 0u;
  int ea = msb(a), eb = msb(b);
  int exponent = ea - eb;
  uint n = a, d = b;
  if (ea > eb) d <<= uint(ea - eb); else n <<= uint(eb - ea);
  if (n < d) {
    n <<= 1;
    exponent -= 1;
  }
  uint q = 0u;
  for (int i = 0; i < 24; ++i) {
    q <<= 1;
    if (n >= d) {
      n -= d;
      q |= 1u;
    }
    n <<= 1;
  }
  bool round_bit = n >= d;
  if (round_bit) n -= d;
  bool sticky = n != 0u;
  uint bits = (uint(exponent + 127) << 23) + (q & kFp32FractionMask);
  if (round_bit && (sticky || (q & 1u) == 1u)) bits += 1u;  // a carry moves into the exponent: still right
  return bits;
}

// Rounds positive x (fp32 bits) into format f. Returns the relative error's
// fp32 bits; sets the flags.
uint relative_error(uint xbits, int f, out bool overflow, out bool subnormal, out bool exact) {
  overflow = false;
  subnormal = false;
  exact = false;
  uint m;
  int e;
  split(xbits, m, e);
  int lead = e + msb(m);              // exponent of x's leading bit
  int man_bits = u_man_bits[f];
  subnormal = lead < u_emin[f];
  int quantum = max(lead, u_emin[f]) - man_bits;  // the format's spacing at x is 2^quantum
  int drop = quantum - e;                          // fp32 bits of x below that spacing
  if (lead > u_emax[f]) {
    overflow = true;
    return kPositiveInfBits;
  }
  if (drop <= 0) {
    exact = true;
    return 0u;  // x is a value of the format
  }
  uint rounded;  // the stored value in units of 2^quantum
  if (drop > 25) {
    rounded = 0u;  // below half the smallest subnormal: m < 2^24 <= 2^(drop-1)
  } else {
    rounded = m >> uint(drop);
    uint rest = m & ((1u << uint(drop)) - 1u);
    uint half_unit = 1u << uint(drop - 1);
    if (rest > half_unit || (rest == half_unit && (rounded & 1u) == 1u)) rounded += 1u;
  }
  if (quantum == u_emax[f] - man_bits && rounded > u_max_significand[f]) {
    overflow = true;
    return kPositiveInfBits;
  }
  // stored - x = (rounded * 2^drop - m) * 2^e; relative error = that / (m * 2^e).
  int diff = drop > 25 ? -int(m) : int(rounded << uint(drop)) - int(m);
  if (diff == 0) {
    exact = true;
    return 0u;
  }
  uint bits = divide_rne(uint(abs(diff)), m);
  return diff < 0 ? bits | 0x80000000u : bits;
}

// The largest value of the format at or below x, as an ordinal (its bit
// pattern): two samples lie in different format intervals iff these differ.
uint floor_ordinal(uint xbits, int f) {
  if (xbits == 0u) return 0u;
  uint m;
  int e;
  split(xbits, m, e);
  int lead = e + msb(m);
  int man_bits = u_man_bits[f];
  if (man_bits >= 24) return xbits;  // at least fp32's precision: every sample is its own value
  if (lead > u_emax[f]) return 0xffffffffu;
  int quantum = max(lead, u_emin[f]) - man_bits;
  int drop = quantum - e;
  uint significand = drop >= 32 ? 0u : drop >= 0 ? m >> uint(drop) : m << uint(-drop);
  if (lead < u_emin[f]) return significand;  // subnormal: the ordinal is the fraction
  uint field = uint(lead - u_emin[f] + 1);
  return (field << uint(man_bits)) | (significand & ((1u << uint(man_bits)) - 1u));
}

// Orders signed fp32 bits as unsigned integers.
uint order_key(uint bits) { return (bits & 0x80000000u) != 0u ? ~bits : bits | 0x80000000u; }

void main() {
  uint column = uint(gl_FragCoord.x);
  int f = int(gl_FragCoord.y);
  uint first = column * u_samples;
  uint centre_bits = sample_bits(first + u_samples / 2u);

  uint flags = 0u;
  uint centre = 0u;
  bool overflow, subnormal, exact;
  if (centre_bits == 0u) {
    flags |= kFlagZero;
  } else {
    centre = relative_error(centre_bits, f, overflow, subnormal, exact);
    if (overflow) flags |= kFlagOverflow;
    if (subnormal) flags |= kFlagSubnormal;
    if (exact) flags |= kFlagExact;
  }

  // Envelope over the column's samples.
  uint lo_key = 0xffffffffu, hi_key = 0u, lo = 0u, hi = 0u;
  bool any_exact = false;
  for (uint s = 0u; s < u_samples; ++s) {
    uint xb = sample_bits(first + s);
    if (xb == 0u) continue;
    uint r = relative_error(xb, f, overflow, subnormal, exact);
    any_exact = any_exact || exact;
    if (subnormal) flags |= kFlagAnySubnormal;
    if (overflow) {
      flags |= kFlagAnyOverflow;
      continue;
    }
    uint k = order_key(r);
    if (k < lo_key) {
      lo_key = k;
      lo = r;
    }
    if (k > hi_key) {
      hi_key = k;
      hi = r;
    }
  }
  if (hi_key == 0u) lo = hi = centre;

  // A value of the format in [column start, next column start)?
  uint start = sample_bits(first), next = sample_bits(first + u_samples);
  uint last = next > start ? next - 1u : start;
  if (any_exact || floor_ordinal(last, f) != floor_ordinal(start, f)) flags |= kFlagRepresentable;
  else {
    bool o, s2, ex;
    relative_error(start == 0u ? 1u : start, f, o, s2, ex);
    if (ex) flags |= kFlagRepresentable;
  }
  o_result = uvec4(centre, lo, hi, flags);
}
