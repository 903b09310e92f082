#pragma once
// cty::type: the Terraform type system.
//
// Primitive types (bool, number, string), collections (list, set, map of one element type),
// structural types (object with named, possibly optional attributes; tuple of positional element
// types) and the `dynamic` pseudo-type, which stands for "any type, decided at run time".
//
//   auto rule = cty::type::object({{"port", cty::type::number()},
//                                  {"cidr", cty::type::string(), cty::optional_attribute}});
//   auto rules = cty::type::list(rule);
//
// Types are immutable, shared handles: copying one copies a pointer (primitive types are never
// reference-counted), and equality first compares pointers, then a cached structural hash.
// Object attributes are kept sorted by name, which is the order of the msgpack wire format, so a
// value stores its attributes in an array indexed by the type rather than in a per-value map.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cppvider::cty {

enum class type_kind : std::uint8_t {
  boolean,
  number,
  string,
  list,
  set,
  map,
  object,
  tuple,
  dynamic
};

namespace detail {
struct type_node;
}

struct attribute;

// Tag for optional object attributes: {"name", type, cty::optional_attribute}.
struct optional_attribute_t {
  explicit constexpr optional_attribute_t(int) {}
};
inline constexpr optional_attribute_t optional_attribute{0};

class type {
 public:
  // The dynamic pseudo-type.
  type() noexcept = default;
  type(const type& other) noexcept;
  type(type&& other) noexcept : node_(other.node_) { other.node_ = nullptr; }
  type& operator=(const type& other) noexcept;
  type& operator=(type&& other) noexcept;
  ~type();

  static type boolean() noexcept;
  static type number() noexcept;
  static type string() noexcept;
  static type dynamic() noexcept { return type{}; }
  static type list(type element);
  static type set(type element);
  static type map(type element);
  static type tuple(std::vector<type> elements);
  // Attribute order does not matter. Throws std::invalid_argument on a repeated name (a schema
  // bug, reported where the schema is built).
  static type object(std::vector<attribute> attributes);
  static type object(std::initializer_list<attribute> attributes);

  [[nodiscard]] type_kind kind() const noexcept;
  [[nodiscard]] bool is_dynamic() const noexcept { return node_ == nullptr; }
  [[nodiscard]] bool is_primitive() const noexcept;
  [[nodiscard]] bool is_collection() const noexcept;  // list, set or map
  [[nodiscard]] bool is_list() const noexcept { return kind() == type_kind::list; }
  [[nodiscard]] bool is_set() const noexcept { return kind() == type_kind::set; }
  [[nodiscard]] bool is_map() const noexcept { return kind() == type_kind::map; }
  [[nodiscard]] bool is_object() const noexcept { return kind() == type_kind::object; }
  [[nodiscard]] bool is_tuple() const noexcept { return kind() == type_kind::tuple; }

  // Precondition: is_collection().
  [[nodiscard]] const type& element_type() const noexcept;
  // Precondition: is_tuple().
  [[nodiscard]] std::span<const type> tuple_elements() const noexcept;
  // Sorted by name (byte-wise). Precondition: is_object().
  [[nodiscard]] std::span<const attribute> attributes() const noexcept;
  // Position of `name` in attributes(), if the object type has it.
  [[nodiscard]] std::optional<std::size_t> attribute_index(std::string_view name) const noexcept;
  [[nodiscard]] bool has_optional_attributes() const noexcept;

  // True when the type mentions `dynamic` anywhere.
  [[nodiscard]] bool has_dynamic() const noexcept;

  // "string", "list of number", "object", ... for messages.
  [[nodiscard]] std::string friendly_name() const;

  [[nodiscard]] std::size_t hash() const noexcept;
  friend bool operator==(const type& a, const type& b) noexcept;

  // Internal: the shared node (nullptr for dynamic).
  [[nodiscard]] const detail::type_node* node() const noexcept { return node_; }
  static type from_node(const detail::type_node* n) noexcept;  // retains n

 private:
  explicit type(const detail::type_node* n) noexcept : node_(n) {}
  const detail::type_node* node_ = nullptr;
};

struct attribute {
  attribute(std::string n, cty::type t) : name(std::move(n)), ty(std::move(t)) {}
  attribute(std::string n, cty::type t, optional_attribute_t)
      : name(std::move(n)), ty(std::move(t)), optional(true) {}

  std::string name;
  cty::type ty;
  // Optional attributes matter only to type conversion in Terraform; on the wire an optional
  // attribute is present like any other (null when unset).
  bool optional = false;

  friend bool operator==(const attribute&, const attribute&) = default;
};

}  // namespace cppvider::cty

template <>
struct std::hash<cppvider::cty::type> {
  std::size_t operator()(const cppvider::cty::type& t) const noexcept { return t.hash(); }
};
