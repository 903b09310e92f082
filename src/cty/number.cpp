#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <system_error>

#include "internal.hpp"

namespace cppvider::cty {
namespace detail {

void retain(const big_decimal* b) noexcept { retain(static_cast<const payload*>(b)); }
void release(const big_decimal* b) noexcept { release(static_cast<const payload*>(b)); }

namespace {

// Just enough unsigned big-integer arithmetic to decide whether a decimal equals a double and to
// print a double's exact decimal expansion. Limbs are little-endian base 2^32.
class bigint {
 public:
  explicit bigint(std::uint64_t v = 0) {
    while (v != 0) {
      limbs_.push_back(static_cast<std::uint32_t>(v));
      v >>= 32U;
    }
  }
  static bigint from_decimal(std::string_view digits) {
    bigint r;
    std::size_t i = 0;
    const std::size_t first = digits.size() % 9 == 0 ? 9 : digits.size() % 9;
    std::size_t take = first;
    while (i < digits.size()) {
      std::uint32_t chunk = 0;
      std::uint32_t scale = 1;
      for (std::size_t j = 0; j < take; ++j) {
        chunk = chunk * 10 + static_cast<std::uint32_t>(digits[i + j] - '0');
        scale *= 10;
      }
      r.mul_small(scale);
      r.add_small(chunk);
      i += take;
      take = 9;
    }
    return r;
  }
  void mul_small(std::uint32_t m) {
    std::uint64_t carry = 0;
    for (auto& l : limbs_) {
      const std::uint64_t p = static_cast<std::uint64_t>(l) * m + carry;
      l = static_cast<std::uint32_t>(p);
      carry = p >> 32U;
    }
    if (carry != 0) limbs_.push_back(static_cast<std::uint32_t>(carry));
  }
  void add_small(std::uint32_t a) {
    std::uint64_t carry = a;
    for (auto& l : limbs_) {
      if (carry == 0) return;
      const std::uint64_t s = static_cast<std::uint64_t>(l) + carry;
      l = static_cast<std::uint32_t>(s);
      carry = s >> 32U;
    }
    if (carry != 0) limbs_.push_back(static_cast<std::uint32_t>(carry));
  }
  void mul_pow5(std::uint64_t k) {
    constexpr std::uint32_t p13 = 1220703125;  // 5^13
    while (k >= 13) {
      mul_small(p13);
      k -= 13;
    }
    std::uint32_t rest = 1;
    while (k-- > 0) rest *= 5;
    mul_small(rest);
  }
  void shl(std::uint64_t bits) {
    if (limbs_.empty()) return;
    const std::size_t words = bits / 32;
    const unsigned rem = static_cast<unsigned>(bits % 32);
    if (rem != 0) {
      std::uint32_t carry = 0;
      for (auto& l : limbs_) {
        const std::uint32_t next = l >> (32U - rem);
        l = (l << rem) | carry;
        carry = next;
      }
      if (carry != 0) limbs_.push_back(carry);
    }
    limbs_.insert(limbs_.begin(), words, 0);
  }
  [[nodiscard]] bool is_zero() const noexcept { return limbs_.empty(); }
  // Divides by d in place; returns the remainder.
  std::uint32_t divmod_small(std::uint32_t d) {
    std::uint64_t rem = 0;
    for (auto it = limbs_.rbegin(); it != limbs_.rend(); ++it) {
      const std::uint64_t cur = (rem << 32U) | *it;
      *it = static_cast<std::uint32_t>(cur / d);
      rem = cur % d;
    }
    while (!limbs_.empty() && limbs_.back() == 0) limbs_.pop_back();
    return static_cast<std::uint32_t>(rem);
  }
  [[nodiscard]] std::string to_decimal() const {
    if (limbs_.empty()) return "0";
    bigint t = *this;
    std::string out;
    while (!t.is_zero()) {
      std::uint32_t chunk = t.divmod_small(1000000000);
      for (int i = 0; i < 9; ++i) {
        out.push_back(static_cast<char>('0' + chunk % 10));
        chunk /= 10;
      }
    }
    while (out.size() > 1 && out.back() == '0') out.pop_back();
    std::reverse(out.begin(), out.end());
    return out;
  }
  friend bool operator==(const bigint& a, const bigint& b) noexcept { return a.limbs_ == b.limbs_; }

 private:
  std::vector<std::uint32_t> limbs_;
};

struct decimal {
  bool negative = false;
  std::string digits;  // empty for zero
  std::int64_t exponent = 0;
};

void normalize(decimal& d) {
  std::size_t lead = 0;
  while (lead < d.digits.size() && d.digits[lead] == '0') ++lead;
  d.digits.erase(0, lead);
  std::size_t trail = 0;
  while (trail < d.digits.size() && d.digits[d.digits.size() - 1 - trail] == '0') ++trail;
  d.digits.resize(d.digits.size() - trail);
  d.exponent += static_cast<std::int64_t>(trail);
  if (d.digits.empty()) {
    d.negative = false;
    d.exponent = 0;
  }
}

// m * 2^e with m odd (or zero), for a finite double.
void decompose(double v, std::uint64_t& m, std::int64_t& e) {
  int e2 = 0;
  const double f = std::frexp(std::fabs(v), &e2);
  m = static_cast<std::uint64_t>(std::ldexp(f, 53));
  e = e2 - 53;
  if (m == 0) return;
  const int tz = std::countr_zero(m);
  m >>= static_cast<unsigned>(tz);
  e += tz;
}

decimal exact_decimal_of_double(double v) {
  decimal d;
  d.negative = std::signbit(v);
  std::uint64_t m = 0;
  std::int64_t e = 0;
  decompose(v, m, e);
  bigint b(m);
  if (e >= 0) {
    b.shl(static_cast<std::uint64_t>(e));
  } else {
    b.mul_pow5(static_cast<std::uint64_t>(-e));
    d.exponent = e;
  }
  d.digits = b.to_decimal();
  normalize(d);
  return d;
}

// digits * 10^exp == m * 2^e, exactly? (Both non-negative magnitudes.)
bool decimal_equals_double(const decimal& d, double v) {
  std::uint64_t m = 0;
  std::int64_t e = 0;
  decompose(v, m, e);
  bigint lhs = bigint::from_decimal(d.digits);
  bigint rhs(m);
  if (d.exponent >= 0) {
    lhs.mul_pow5(static_cast<std::uint64_t>(d.exponent));
  } else {
    rhs.mul_pow5(static_cast<std::uint64_t>(-d.exponent));
  }
  const std::int64_t p = d.exponent - e;  // net power of two on the left
  if (p >= 0) {
    lhs.shl(static_cast<std::uint64_t>(p));
  } else {
    rhs.shl(static_cast<std::uint64_t>(-p));
  }
  return lhs == rhs;
}

double nearest_double(const decimal& d) {
  if (d.digits.empty()) return 0.0;
  const std::string text = scientific_text(d.digits, d.exponent);
  double v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec == std::errc::result_out_of_range) {
    const std::int64_t adjusted = static_cast<std::int64_t>(d.digits.size()) + d.exponent;
    v = adjusted > 0 ? std::numeric_limits<double>::infinity() : 0.0;
  }
  return d.negative ? -v : v;
}

const big_decimal* make_big(decimal d) {
  auto* b = new big_decimal;
  b->negative = d.negative;
  b->digits = std::move(d.digits);
  b->exponent = d.exponent;
  return b;
}

decimal decimal_of(const number& n) {
  decimal d;
  if (const big_decimal* b = n.big()) {
    d.negative = b->negative;
    d.digits = b->digits;
    d.exponent = b->exponent;
    return d;
  }
  if (n.is_int64()) {
    const std::int64_t i = n.int64_unchecked();
    d.negative = i < 0;
    const std::uint64_t mag =
        i < 0 ? ~static_cast<std::uint64_t>(i) + 1 : static_cast<std::uint64_t>(i);
    d.digits = std::to_string(mag);
    normalize(d);
    return d;
  }
  return exact_decimal_of_double(n.double_unchecked());
}

int compare_magnitude(const decimal& a, const decimal& b) {
  if (a.digits.empty() || b.digits.empty()) {
    return static_cast<int>(!a.digits.empty()) - static_cast<int>(!b.digits.empty());
  }
  const std::int64_t adj_a = static_cast<std::int64_t>(a.digits.size()) + a.exponent;
  const std::int64_t adj_b = static_cast<std::int64_t>(b.digits.size()) + b.exponent;
  if (adj_a != adj_b) return adj_a < adj_b ? -1 : 1;
  const int c = a.digits.compare(b.digits);  // no trailing zeros: a longer tail is larger
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

int compare_decimal(const decimal& a, const decimal& b) {
  const int sa = a.digits.empty() ? 0 : (a.negative ? -1 : 1);
  const int sb = b.digits.empty() ? 0 : (b.negative ? -1 : 1);
  if (sa != sb) return sa < sb ? -1 : 1;
  const int m = compare_magnitude(a, b);
  return sa < 0 ? -m : m;
}

constexpr double two63 = 9223372036854775808.0;

}  // namespace

std::string scientific_text(std::string_view digits, std::int64_t exponent) {
  std::string s(digits.substr(0, 1));
  if (digits.size() > 1) {
    s += '.';
    s.append(digits.substr(1));
  }
  return s + "e" + std::to_string(static_cast<std::int64_t>(digits.size()) + exponent - 1);
}

}  // namespace detail

using detail::big_decimal;

number::number(double v) {
  if (std::isnan(v)) throw std::invalid_argument("cty::number: NaN is not a number");
  if (v >= -detail::two63 && v < detail::two63 && std::trunc(v) == v) {
    rep_ = rep::integer;
    i_ = static_cast<std::int64_t>(v);
  } else {
    rep_ = rep::real;
    d_ = v;
  }
}

number& number::operator=(const number& o) noexcept {
  if (this != &o) {
    if (o.rep_ == rep::big) detail::retain(o.big_);
    if (rep_ == rep::big) detail::release(big_);
    rep_ = o.rep_;
    i_ = o.i_;
  }
  return *this;
}

number& number::operator=(number&& o) noexcept {
  if (this != &o) {
    if (rep_ == rep::big) detail::release(big_);
    rep_ = o.rep_;
    i_ = o.i_;
    o.rep_ = rep::integer;
  }
  return *this;
}

number number::adopt_big(const big_decimal* b) noexcept {
  number n;
  n.rep_ = rep::big;
  n.big_ = b;
  return n;
}

number number::infinity(bool negative) noexcept {
  number n;
  n.rep_ = rep::real;
  n.d_ =
      negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  return n;
}

number number::from_uint64(std::uint64_t v) {
  if (v <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return number{static_cast<std::int64_t>(v)};
  }
  if ((v & 0x7FFU) == 0) {  // top bit is 63: exact in a double when the low 11 bits are zero
    number n;
    n.rep_ = rep::real;
    n.d_ = static_cast<double>(v);
    return n;
  }
  detail::decimal d;
  d.digits = std::to_string(v);
  detail::normalize(d);
  return adopt_big(detail::make_big(std::move(d)));
}

result<number> number::parse(std::string_view text) {
  const auto fail = [&] {
    return cty::error{{}, "\"" + std::string(text.substr(0, 64)) + "\" is not a number"};
  };
  const auto out_of_range = [&] {
    return cty::error{{}, "number out of range: \"" + std::string(text.substr(0, 64)) + "\""};
  };
  std::size_t i = 0;
  detail::decimal d;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    d.negative = text[i] == '-';
    ++i;
  }
  const std::string_view rest = text.substr(i);
  if (rest == "Inf" || rest == "inf" || rest == "Infinity") return number::infinity(d.negative);
  bool any_digit = false;
  std::int64_t frac_digits = 0;
  d.digits.reserve(text.size());
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    d.digits.push_back(text[i++]);
    any_digit = true;
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      d.digits.push_back(text[i++]);
      ++frac_digits;
      any_digit = true;
    }
  }
  if (!any_digit) return fail();
  std::int64_t exp = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool neg_exp = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
      neg_exp = text[i] == '-';
      ++i;
    }
    if (i >= text.size()) return fail();
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (exp < 1'000'000'000) exp = exp * 10 + (text[i] - '0');
      ++i;
    }
    if (exp >= 1'000'000'000) return out_of_range();
    if (neg_exp) exp = -exp;
  }
  if (i != text.size()) return fail();
  d.exponent = exp - frac_digits;
  detail::normalize(d);
  if (d.digits.empty()) return number{};
  // Bound the magnitude, not the written exponent, so that every accepted number prints (in
  // scientific notation when long) as text that parses back.
  const std::int64_t magnitude = static_cast<std::int64_t>(d.digits.size()) + d.exponent;
  if (magnitude > 100'000'000 || magnitude < -100'000'000) return out_of_range();

  const auto n = static_cast<std::int64_t>(d.digits.size());
  if (d.exponent >= 0 && n + d.exponent <= 19) {
    std::uint64_t mag = 0;
    for (char c : d.digits) mag = mag * 10 + static_cast<std::uint64_t>(c - '0');
    for (std::int64_t k = 0; k < d.exponent; ++k) mag *= 10;
    if (!d.negative &&
        mag <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return number{static_cast<std::int64_t>(mag)};
    }
    if (d.negative && mag <= (std::uint64_t{1} << 63U)) {
      return number{static_cast<std::int64_t>(~mag + 1)};
    }
  }
  const std::int64_t adjusted = n + d.exponent;
  if (n <= 800 && adjusted >= -330 && adjusted <= 310) {
    const double v = detail::nearest_double(d);
    if (std::isfinite(v) && v != 0.0 && detail::decimal_equals_double(d, std::fabs(v))) {
      return number{v};
    }
  }
  return adopt_big(detail::make_big(std::move(d)));
}

bool number::is_infinite() const noexcept { return rep_ == rep::real && std::isinf(d_); }

bool number::is_integer() const noexcept {
  switch (rep_) {
    case rep::integer:
      return true;
    case rep::real:
      return std::isfinite(d_) && std::trunc(d_) == d_;
    case rep::big:
      return big_->exponent >= 0;
  }
  return false;
}

bool number::is_negative() const noexcept {
  switch (rep_) {
    case rep::integer:
      return i_ < 0;
    case rep::real:
      return d_ < 0;
    case rep::big:
      return big_->negative;
  }
  return false;
}

std::optional<std::int64_t> number::to_int64() const noexcept {
  if (rep_ == rep::integer) return i_;
  return std::nullopt;  // canonical form: every int64 is stored as one
}

std::optional<std::uint64_t> number::to_uint64() const noexcept {
  switch (rep_) {
    case rep::integer:
      if (i_ < 0) return std::nullopt;
      return static_cast<std::uint64_t>(i_);
    case rep::real:
      if (d_ >= detail::two63 && d_ < 2 * detail::two63 && std::trunc(d_) == d_) {
        return static_cast<std::uint64_t>(d_);
      }
      return std::nullopt;
    case rep::big: {
      if (big_->negative || big_->exponent < 0) return std::nullopt;
      if (static_cast<std::int64_t>(big_->digits.size()) + big_->exponent > 20) return std::nullopt;
      std::uint64_t v = 0;
      for (std::int64_t k = 0; k < static_cast<std::int64_t>(big_->digits.size()) + big_->exponent;
           ++k) {
        const std::uint64_t digit = k < static_cast<std::int64_t>(big_->digits.size())
                                        ? static_cast<std::uint64_t>(big_->digits[k] - '0')
                                        : 0;
        if (v > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return std::nullopt;
        v = v * 10 + digit;
      }
      return v;
    }
  }
  return std::nullopt;
}

std::optional<double> number::to_double_exact() const noexcept {
  switch (rep_) {
    case rep::integer: {
      const auto d = static_cast<double>(i_);
      if (d >= detail::two63) return std::nullopt;
      if (static_cast<std::int64_t>(d) != i_) return std::nullopt;
      return d;
    }
    case rep::real:
      return d_;
    case rep::big:
      return std::nullopt;
  }
  return std::nullopt;
}

double number::to_double() const noexcept {
  switch (rep_) {
    case rep::integer:
      return static_cast<double>(i_);
    case rep::real:
      return d_;
    case rep::big: {
      detail::decimal d{big_->negative, big_->digits, big_->exponent};
      return detail::nearest_double(d);
    }
  }
  return 0;
}

std::string number::to_string() const {
  switch (rep_) {
    case rep::integer:
      return std::to_string(i_);
    case rep::real: {
      if (std::isinf(d_)) return d_ > 0 ? "+Inf" : "-Inf";
      char buf[1200];
      auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, d_, std::chars_format::fixed);
      if (ec != std::errc{}) return "0";
      return {buf, ptr};
    }
    case rep::big:
      break;
  }
  const auto& digits = big_->digits;
  const auto n = static_cast<std::int64_t>(digits.size());
  const std::int64_t e = big_->exponent;
  const std::int64_t point = n + e;  // digits before the decimal point
  const std::int64_t fixed_len = e >= 0 ? n + e : (point > 0 ? n + 1 : 2 - point + n);
  std::string out = big_->negative ? "-" : "";
  if (fixed_len > 4096) {
    return out + detail::scientific_text(digits, e);
  }
  if (e >= 0) {
    out += digits;
    out.append(static_cast<std::size_t>(e), '0');
  } else if (point > 0) {
    out.append(digits, 0, static_cast<std::size_t>(point));
    out += '.';
    out.append(digits, static_cast<std::size_t>(point));
  } else {
    out += "0.";
    out.append(static_cast<std::size_t>(-point), '0');
    out += digits;
  }
  return out;
}

std::size_t number::hash() const noexcept {
  switch (rep_) {
    case rep::integer:
      return std::hash<std::int64_t>{}(i_)*31 + 1;
    case rep::real:
      return std::hash<double>{}(d_)*31 + 2;
    case rep::big:
      return std::hash<std::string>{}(big_->digits) ^
             (std::hash<std::int64_t>{}(big_->exponent) * 7) ^ (big_->negative ? 0x55 : 0);
  }
  return 0;
}

bool operator==(const number& a, const number& b) noexcept {
  if (a.rep_ != b.rep_) return false;  // canonical representations
  switch (a.rep_) {
    case number::rep::integer:
      return a.i_ == b.i_;
    case number::rep::real:
      return a.d_ == b.d_;
    case number::rep::big:
      return a.big_ == b.big_ ||
             (a.big_->negative == b.big_->negative && a.big_->exponent == b.big_->exponent &&
              a.big_->digits == b.big_->digits);
  }
  return false;
}

std::strong_ordering operator<=>(const number& a, const number& b) noexcept {
  using so = std::strong_ordering;
  if (a.rep_ == number::rep::integer && b.rep_ == number::rep::integer) return a.i_ <=> b.i_;
  if (a.rep_ != number::rep::big && b.rep_ != number::rep::big) {
    const long double x = a.rep_ == number::rep::integer ? static_cast<long double>(a.i_) : a.d_;
    const long double y = b.rep_ == number::rep::integer ? static_cast<long double>(b.i_) : b.d_;
    return x < y ? so::less : (x > y ? so::greater : so::equal);
  }
  // One side is a big decimal, which is always finite.
  if (a.is_infinite()) return a.d_ > 0 ? so::greater : so::less;
  if (b.is_infinite()) return b.d_ > 0 ? so::less : so::greater;
  const int c = detail::compare_decimal(detail::decimal_of(a), detail::decimal_of(b));
  return c < 0 ? so::less : (c > 0 ? so::greater : so::equal);
}

}  // namespace cppvider::cty
