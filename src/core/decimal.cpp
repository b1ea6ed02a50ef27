#include "core/decimal.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace mantissa {

namespace {

constexpr uint32_t kPow10[10] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000};
// Largest powers that keep limb * m + carry inside 64 bits (limb < 10^9 < 2^30, m < 2^32).
constexpr int kPow2Chunk = 31;
constexpr int kPow5Chunk = 13;  // 5^13 = 1220703125 < 2^32
constexpr uint32_t kPow5_13 = 1220703125u;

int limb_digits(uint32_t v) {
  int n = 1;
  while (n < 10 && v >= kPow10[n]) ++n;
  return n;
}

}  // namespace

void Decimal::trim() {
  while (!limbs_.empty() && limbs_.back() == 0) limbs_.pop_back();
  size_t low = 0;
  while (low < limbs_.size() && limbs_[low] == 0) ++low;
  if (low > 0) {
    limbs_.erase(limbs_.begin(), limbs_.begin() + static_cast<std::ptrdiff_t>(low));
    exp10_ += 9 * static_cast<int64_t>(low);
  }
  if (limbs_.empty()) {
    negative_ = false;
    exp10_ = 0;
  }
}

Decimal Decimal::from_digits(std::string_view digits, int64_t exp10, bool negative) {
  Decimal d;
  size_t start = 0;
  while (start < digits.size() && digits[start] == '0') ++start;
  digits.remove_prefix(start);
  d.limbs_.reserve(digits.size() / 9 + 1);
  size_t end = digits.size();
  while (end > 0) {
    size_t begin = end >= 9 ? end - 9 : 0;
    uint32_t limb = 0;
    for (size_t i = begin; i < end; ++i) limb = limb * 10 + static_cast<uint32_t>(digits[i] - '0');
    d.limbs_.push_back(limb);
    end = begin;
  }
  d.exp10_ = exp10;
  d.negative_ = negative;
  d.trim();
  return d;
}

Decimal Decimal::from_uint(uint64_t v, bool negative) {
  Decimal d;
  while (v > 0) {
    d.limbs_.push_back(static_cast<uint32_t>(v % kBase));
    v /= kBase;
  }
  d.negative_ = negative;
  d.trim();
  return d;
}

Decimal Decimal::from_dyadic(bool negative, uint64_t significand, int64_t exp2) {
  Decimal d = from_uint(significand, negative);
  if (d.is_zero()) return d;
  if (exp2 >= 0) {
    d.mul_pow2(exp2);
  } else {
    // m * 2^-k = m * 5^k * 10^-k
    d.mul_pow5(-exp2);
    d.exp10_ += exp2;
  }
  d.trim();
  return d;
}

Decimal Decimal::pow2(int64_t e) { return from_dyadic(false, 1, e); }

void Decimal::mul_small(uint32_t m) {
  uint64_t carry = 0;
  for (uint32_t& limb : limbs_) {
    uint64_t cur = static_cast<uint64_t>(limb) * m + carry;
    limb = static_cast<uint32_t>(cur % kBase);
    carry = cur / kBase;
  }
  while (carry > 0) {
    limbs_.push_back(static_cast<uint32_t>(carry % kBase));
    carry /= kBase;
  }
}

void Decimal::mul_pow2(int64_t e) {
  for (; e >= kPow2Chunk; e -= kPow2Chunk) mul_small(uint32_t{1} << kPow2Chunk);
  if (e > 0) mul_small(uint32_t{1} << e);
}

void Decimal::mul_pow5(int64_t e) {
  for (; e >= kPow5Chunk; e -= kPow5Chunk) mul_small(kPow5_13);
  uint32_t m = 1;
  for (; e > 0; --e) m *= 5;
  if (m > 1) mul_small(m);
}

void Decimal::shift_digits_left(int64_t n) {
  if (limbs_.empty() || n <= 0) return;
  mul_small(kPow10[n % 9]);
  limbs_.insert(limbs_.begin(), static_cast<size_t>(n / 9), 0u);
}

size_t Decimal::digit_count() const {
  if (limbs_.empty()) return 0;
  return (limbs_.size() - 1) * 9 + static_cast<size_t>(limb_digits(limbs_.back()));
}

int64_t Decimal::decimal_exponent() const {
  if (limbs_.empty()) return 0;
  return static_cast<int64_t>(digit_count()) - 1 + exp10_;
}

Decimal Decimal::scaled_pow10(int64_t n) const {
  Decimal d = *this;
  if (!d.is_zero()) d.exp10_ += n;
  return d;
}

Decimal Decimal::abs() const {
  Decimal d = *this;
  d.negative_ = false;
  return d;
}

Decimal Decimal::operator-() const {
  Decimal d = *this;
  if (!d.is_zero()) d.negative_ = !d.negative_;
  return d;
}

void Decimal::align(const Decimal& a, const Decimal& b, std::vector<uint32_t>* la, std::vector<uint32_t>* lb,
                    int64_t* exp10) {
  Decimal x = a, y = b;
  int64_t e = std::min(a.exp10_, b.exp10_);
  x.shift_digits_left(x.exp10_ - e);
  y.shift_digits_left(y.exp10_ - e);
  *la = std::move(x.limbs_);
  *lb = std::move(y.limbs_);
  *exp10 = e;
}

int Decimal::compare_magnitude(const Decimal& a, const Decimal& b) {
  if (a.is_zero() || b.is_zero()) return (a.is_zero() ? 0 : 1) - (b.is_zero() ? 0 : 1);
  int64_t ea = a.decimal_exponent(), eb = b.decimal_exponent();
  if (ea != eb) return ea < eb ? -1 : 1;
  std::vector<uint32_t> la, lb;
  int64_t e;
  align(a, b, &la, &lb, &e);
  if (la.size() != lb.size()) return la.size() < lb.size() ? -1 : 1;
  for (size_t i = la.size(); i-- > 0;) {
    if (la[i] != lb[i]) return la[i] < lb[i] ? -1 : 1;
  }
  return 0;
}

int compare(const Decimal& a, const Decimal& b) {
  if (a.negative_ != b.negative_) {
    return a.negative_ ? -1 : 1;  // neither is zero when signs differ (zero is never negative)
  }
  int m = Decimal::compare_magnitude(a, b);
  return a.negative_ ? -m : m;
}

Decimal Decimal::add_magnitudes(const Decimal& a, const Decimal& b, bool negative) {
  Decimal r;
  std::vector<uint32_t> la, lb;
  align(a, b, &la, &lb, &r.exp10_);
  if (la.size() < lb.size()) std::swap(la, lb);
  uint32_t carry = 0;
  for (size_t i = 0; i < la.size(); ++i) {
    uint32_t s = la[i] + (i < lb.size() ? lb[i] : 0) + carry;
    carry = s >= kBase ? 1 : 0;
    la[i] = s - carry * kBase;
  }
  if (carry) la.push_back(carry);
  r.limbs_ = std::move(la);
  r.negative_ = negative;
  r.trim();
  return r;
}

Decimal Decimal::sub_magnitudes(const Decimal& a, const Decimal& b, bool negative) {
  Decimal r;
  std::vector<uint32_t> la, lb;
  align(a, b, &la, &lb, &r.exp10_);
  int64_t borrow = 0;
  for (size_t i = 0; i < la.size(); ++i) {
    int64_t s = static_cast<int64_t>(la[i]) - (i < lb.size() ? lb[i] : 0) - borrow;
    borrow = s < 0 ? 1 : 0;
    la[i] = static_cast<uint32_t>(s + borrow * kBase);
  }
  r.limbs_ = std::move(la);
  r.negative_ = negative;
  r.trim();
  return r;
}

Decimal Decimal::operator+(const Decimal& o) const {
  if (is_zero()) return o;
  if (o.is_zero()) return *this;
  if (negative_ == o.negative_) return add_magnitudes(*this, o, negative_);
  int m = compare_magnitude(*this, o);
  if (m == 0) return Decimal();
  return m > 0 ? sub_magnitudes(*this, o, negative_) : sub_magnitudes(o, *this, o.negative_);
}

Decimal Decimal::operator-(const Decimal& o) const { return *this + (-o); }

Decimal Decimal::operator*(const Decimal& o) const {
  Decimal r;
  if (is_zero() || o.is_zero()) return r;
  std::vector<uint64_t> acc(limbs_.size() + o.limbs_.size() + 1, 0);
  for (size_t i = 0; i < limbs_.size(); ++i) {
    uint64_t carry = 0;
    for (size_t j = 0; j < o.limbs_.size(); ++j) {
      uint64_t cur = acc[i + j] + static_cast<uint64_t>(limbs_[i]) * o.limbs_[j] + carry;
      acc[i + j] = cur % kBase;
      carry = cur / kBase;
    }
    size_t k = i + o.limbs_.size();
    while (carry > 0) {
      uint64_t cur = acc[k] + carry;
      acc[k] = cur % kBase;
      carry = cur / kBase;
      ++k;
    }
  }
  r.limbs_.assign(acc.begin(), acc.end());
  r.exp10_ = exp10_ + o.exp10_;
  r.negative_ = negative_ != o.negative_;
  r.trim();
  return r;
}

namespace {

std::string coefficient_digits(const std::vector<uint32_t>& limbs) {
  if (limbs.empty()) return "0";
  std::string s = std::to_string(limbs.back());
  s.reserve(limbs.size() * 9);
  for (size_t i = limbs.size() - 1; i-- > 0;) {
    std::string part = std::to_string(limbs[i]);
    s.append(9 - part.size(), '0');
    s += part;
  }
  return s;
}

}  // namespace

std::string Decimal::to_plain() const {
  if (is_zero()) return "0";
  std::string digits = coefficient_digits(limbs_);
  std::string out = negative_ ? "-" : "";
  if (exp10_ >= 0) {
    out += digits;
    out.append(static_cast<size_t>(exp10_), '0');
    return out;
  }
  int64_t point = static_cast<int64_t>(digits.size()) + exp10_;  // digits before the point
  std::string int_part, frac_part;
  if (point <= 0) {
    int_part = "0";
    frac_part = std::string(static_cast<size_t>(-point), '0') + digits;
  } else {
    int_part = digits.substr(0, static_cast<size_t>(point));
    frac_part = digits.substr(static_cast<size_t>(point));
  }
  while (!frac_part.empty() && frac_part.back() == '0') frac_part.pop_back();
  out += int_part;
  if (!frac_part.empty()) out += "." + frac_part;
  return out;
}

std::string Decimal::to_short(int sig) const {
  if (is_zero()) return "0";
  if (sig < 1) sig = 1;
  std::string digits = coefficient_digits(limbs_);
  int64_t k = decimal_exponent();
  if (static_cast<int>(digits.size()) > sig) {
    // Round half to even on the decimal digits.
    char first_dropped = digits[static_cast<size_t>(sig)];
    bool rest_nonzero = digits.find_first_not_of('0', static_cast<size_t>(sig) + 1) != std::string::npos;
    std::string kept = digits.substr(0, static_cast<size_t>(sig));
    bool up = first_dropped > '5' || (first_dropped == '5' && (rest_nonzero || (kept.back() - '0') % 2 == 1));
    if (up) {
      int i = sig - 1;
      while (i >= 0 && kept[static_cast<size_t>(i)] == '9') kept[static_cast<size_t>(i--)] = '0';
      if (i < 0) {
        kept.insert(kept.begin(), '1');
        kept.pop_back();
        ++k;
      } else {
        ++kept[static_cast<size_t>(i)];
      }
    }
    digits = kept;
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string out = negative_ ? "-" : "";
  if (k >= -5 && k < sig) {
    if (k >= 0) {
      if (static_cast<int64_t>(digits.size()) <= k + 1) {
        out += digits + std::string(static_cast<size_t>(k + 1) - digits.size(), '0');
      } else {
        out += digits.substr(0, static_cast<size_t>(k + 1)) + "." + digits.substr(static_cast<size_t>(k + 1));
      }
    } else {
      out += "0." + std::string(static_cast<size_t>(-k - 1), '0') + digits;
    }
  } else {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    out += "e" + std::to_string(k);
  }
  return out;
}

double Decimal::to_double() const {
  if (is_zero()) return 0.0;
  std::string digits = coefficient_digits(limbs_);
  constexpr size_t kMaxDigits = 800;  // enough for the nearest double in all but pathological ties
  int64_t e = exp10_;
  if (digits.size() > kMaxDigits) {
    e += static_cast<int64_t>(digits.size() - kMaxDigits);
    bool rest = digits.find_first_not_of('0', kMaxDigits) != std::string::npos;
    digits.resize(kMaxDigits);
    if (rest) digits.push_back('1'), --e;  // keep a sticky digit
  }
  std::string s = (negative_ ? "-" : "") + digits + "e" + std::to_string(e);
  return std::strtod(s.c_str(), nullptr);
}

std::vector<uint32_t> Decimal::floor_of(const std::vector<uint32_t>& limbs, int64_t exp10, bool* inexact) {
  std::vector<uint32_t> v = limbs;
  int64_t drop = -exp10;
  size_t whole = static_cast<size_t>(std::min<int64_t>(drop / 9, static_cast<int64_t>(v.size())));
  for (size_t i = 0; i < whole; ++i) {
    if (v[i] != 0) *inexact = true;
  }
  v.erase(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(whole));
  int64_t rest = drop - 9 * static_cast<int64_t>(whole);
  if (v.empty()) return v;
  if (rest > 0 && rest < 9) {
    uint32_t d = kPow10[rest];
    uint64_t rem = 0;
    for (size_t i = v.size(); i-- > 0;) {
      uint64_t cur = rem * kBase + v[i];
      v[i] = static_cast<uint32_t>(cur / d);
      rem = cur % d;
    }
    if (rem != 0) *inexact = true;
  } else if (rest >= 9) {  // more digits dropped than the value has
    for (uint32_t l : v) {
      if (l != 0) *inexact = true;
    }
    v.clear();
  }
  while (!v.empty() && v.back() == 0) v.pop_back();
  return v;
}

std::vector<uint32_t> Decimal::scaled_floor(int64_t t, bool* inexact) const {
  *inexact = false;
  Decimal x = abs();
  int64_t e = x.exp10_;
  if (t >= 0) {
    x.mul_pow2(t);
  } else {
    x.mul_pow5(-t);  // 2^-u = 5^u * 10^-u
    e += t;
  }
  if (e >= 0) {
    x.shift_digits_left(e);
    return x.limbs_;
  }
  return floor_of(x.limbs_, e, inexact);
}

int64_t Decimal::binary_exponent() const {
  // Estimate from the leading digits, then correct by looking at the exact
  // scaled value: floor(|x| * 2^-E) must be exactly 1.
  std::string digits = coefficient_digits(limbs_);
  size_t lead_n = std::min<size_t>(digits.size(), 17);
  double lead = std::strtod(digits.substr(0, lead_n).c_str(), nullptr);
  int64_t k = static_cast<int64_t>(digits.size() - lead_n) + exp10_;
  double est = std::log2(lead) + static_cast<double>(k) * 3.32192809488736234787;
  int64_t e = static_cast<int64_t>(std::floor(est));
  for (int iter = 0; iter < 8; ++iter) {
    bool inexact;
    std::vector<uint32_t> q = scaled_floor(-e, &inexact);
    if (q.empty()) {
      --e;
    } else if (q.size() > 1 || q[0] >= 2) {
      ++e;
    } else {
      return e;
    }
  }
  return e;
}

uint64_t Decimal::scaled_floor_u64(int64_t t, bool* inexact) const {
  std::vector<uint32_t> q = scaled_floor(t, inexact);
  uint64_t v = 0;
  for (size_t i = q.size(); i-- > 0;) v = v * kBase + q[i];
  return v;
}

std::string Decimal::leading_bits(int nbits, bool* more) const {
  *more = false;
  if (is_zero()) return "0";
  int64_t e = binary_exponent();
  std::vector<uint32_t> q = scaled_floor(nbits - 1 - e, more);
  std::string bits;
  bits.reserve(static_cast<size_t>(nbits));
  // Repeated halving of the (small) base-10^9 integer yields its bits, lowest first.
  while (!q.empty()) {
    uint64_t rem = 0;
    for (size_t i = q.size(); i-- > 0;) {
      uint64_t cur = rem * kBase + q[i];
      q[i] = static_cast<uint32_t>(cur / 2);
      rem = cur % 2;
    }
    bits.push_back(rem ? '1' : '0');
    while (!q.empty() && q.back() == 0) q.pop_back();
  }
  std::reverse(bits.begin(), bits.end());
  return bits;
}

}  // namespace mantissa
