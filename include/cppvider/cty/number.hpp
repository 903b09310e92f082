#pragma once
// cty::number: Terraform's arbitrary-precision number.
//
// Three representations, chosen canonically so that equal numbers are stored identically:
//   - int64 for every integer that fits (the common case: counts, ports, sizes);
//   - double for every other value a double holds exactly (1.5, 2^63, 1e300, +-Inf);
//   - an exact decimal (sign, digit string, power-of-ten exponent) for the rest: integers past
//     2^64 that a double cannot hold, and decimals such as 0.1 that have no binary form.
// Nothing is rounded on the way in or out: "0.1" read from JSON is the decimal 0.1, not the
// nearest double, and it is written back as "0.1". NaN is not a number here.
//
//   auto n = cty::number::parse("18446744073709551617");   // result<number>
//   n->to_int64();                                         // nullopt: does not fit
//   cty::number{3} < cty::number{3.5};                     // exact comparison

#include <compare>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <cppvider/cty/error.hpp>

namespace cppvider::cty {

namespace detail {
struct big_decimal;
void retain(const big_decimal* b) noexcept;
void release(const big_decimal* b) noexcept;
}  // namespace detail

class number {
 public:
  number() noexcept : rep_(rep::integer), i_(0) {}
  template <std::signed_integral I>
  number(I v) noexcept : rep_(rep::integer), i_(static_cast<std::int64_t>(v)) {}  // NOLINT
  template <std::unsigned_integral U>
  number(U v) noexcept {  // NOLINT
    if constexpr (sizeof(U) < sizeof(std::uint64_t)) {
      rep_ = rep::integer;
      i_ = static_cast<std::int64_t>(v);
    } else {
      *this = from_uint64(v);
    }
  }
  // Precondition: !isnan(v) (throws std::invalid_argument). -0.0 is 0.
  number(double v);  // NOLINT

  number(const number& o) noexcept : rep_(o.rep_), i_(o.i_) {
    if (rep_ == rep::big) detail::retain(big_);
  }
  number(number&& o) noexcept : rep_(o.rep_), i_(o.i_) { o.rep_ = rep::integer; }
  number& operator=(const number& o) noexcept;
  number& operator=(number&& o) noexcept;
  ~number() {
    if (rep_ == rep::big) detail::release(big_);
  }

  // Decimal text: optional sign, digits, optional fraction, optional exponent
  // ("-12", "0.8", "1e400", "+5"); also "Inf"/"+Inf"/"-Inf". Leading/trailing space, hex,
  // "NaN" and empty text are errors. Magnitudes are limited to 10^(+-100 000 000).
  static result<number> parse(std::string_view text);
  static number from_uint64(std::uint64_t v);
  static number infinity(bool negative = false) noexcept;

  [[nodiscard]] bool is_int64() const noexcept { return rep_ == rep::integer; }
  [[nodiscard]] bool is_double() const noexcept { return rep_ == rep::real; }
  [[nodiscard]] bool is_big() const noexcept { return rep_ == rep::big; }
  [[nodiscard]] bool is_infinite() const noexcept;
  [[nodiscard]] bool is_integer() const noexcept;   // mathematically (no fraction), finite
  [[nodiscard]] bool is_negative() const noexcept;  // < 0
  [[nodiscard]] bool is_zero() const noexcept { return rep_ == rep::integer && i_ == 0; }

  // Exact conversions: nullopt unless the value is representable without loss.
  [[nodiscard]] std::optional<std::int64_t> to_int64() const noexcept;
  [[nodiscard]] std::optional<std::uint64_t> to_uint64() const noexcept;
  [[nodiscard]] std::optional<double> to_double_exact() const noexcept;
  // Nearest double (decimals round to nearest even; out-of-range values become +-Inf).
  [[nodiscard]] double to_double() const noexcept;

  // Decimal text without exponent when it is shorter than 4 KiB ("0.8", "1e400" as 1 and 400
  // zeros), which is what go-cty writes (big.Float.Text('f', -1)); scientific notation beyond.
  // Infinities are "+Inf" / "-Inf".
  [[nodiscard]] std::string to_string() const;

  // Internal access for the codecs: the decimal form of a big number.
  [[nodiscard]] const detail::big_decimal* big() const noexcept {
    return rep_ == rep::big ? big_ : nullptr;
  }
  [[nodiscard]] std::int64_t int64_unchecked() const noexcept { return i_; }
  [[nodiscard]] double double_unchecked() const noexcept { return d_; }
  static number adopt_big(const detail::big_decimal* b) noexcept;  // takes one reference

  [[nodiscard]] std::size_t hash() const noexcept;
  friend bool operator==(const number& a, const number& b) noexcept;
  friend std::strong_ordering operator<=>(const number& a, const number& b) noexcept;

 private:
  enum class rep : std::uint8_t { integer, real, big };
  rep rep_;
  union {
    std::int64_t i_;
    double d_;
    const detail::big_decimal* big_;
  };
};

}  // namespace cppvider::cty
