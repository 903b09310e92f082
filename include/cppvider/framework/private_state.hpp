// cppvider/framework/private_state.hpp: a resource's private state, sealed for Terraform.
//
//   std::optional<std::string> etag = prior.get("etag");
//   next.set("etag", response.etag);
//
// Terraform keeps an opaque `private` byte string per resource instance next to its state and
// hands it back on the next plan, apply, read and import. cppvider exposes it as `private_state`,
// an ordered map from key to bytes, and turns it into those bytes with a `private_state_codec`
// (docs/private-state.md).
//
// Bytes on the wire (empty state <-> empty bytes, in both formats):
//
//   0x01 | payload                                               no secret: plain
//   0x02 | key id (4) | nonce (12) | encrypted payload | tag (16)    AES-256-GCM
//
//   payload = varint(count) { varint(key size) key varint(value size) value }*count
//
// varint is unsigned LEB128. The AES key is HKDF-SHA256(secret, salt "cppvider private state",
// info "cppvider private state v1 key"); the key id is the first 4 bytes of the same HKDF with
// info "cppvider private state v1 key id", so a wrong secret is named as such instead of showing
// up as tampering. The nonce is random per seal; marker and key id are the additional
// authenticated data.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "cppvider/framework/diagnostics.hpp"

namespace cppvider::framework {

// Key -> bytes. Values may be empty or binary (NULs included); keys are kept ordered.
class private_state {
 public:
  using map_type = std::map<std::string, std::string, std::less<>>;

  [[nodiscard]] std::optional<std::string> get(std::string_view key) const;
  [[nodiscard]] bool contains(std::string_view key) const { return entries_.contains(key); }
  void set(std::string key, std::string value) {
    entries_.insert_or_assign(std::move(key), std::move(value));
  }
  void erase(std::string_view key);
  void clear() noexcept { entries_.clear(); }

  [[nodiscard]] bool empty() const noexcept { return entries_.empty(); }
  [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }
  [[nodiscard]] auto begin() const noexcept { return entries_.begin(); }
  [[nodiscard]] auto end() const noexcept { return entries_.end(); }

  friend bool operator==(const private_state&, const private_state&) = default;

 private:
  map_type entries_;
};

// Environment variables read by private_state_codec::from_environment.
inline constexpr std::string_view private_state_secret_env = "CPPVIDER_PRIVATE_STATE_SECRET";
inline constexpr std::string_view private_state_previous_secret_env =
    "CPPVIDER_PRIVATE_STATE_SECRET_PREVIOUS";

// Shorter secrets are refused. This catches truncated or placeholder values, not weak ones: the
// secret must be random (`openssl rand -base64 32`), HKDF does not slow down guessing.
inline constexpr std::size_t private_state_min_secret_size = 16;

// Turns private_state into Terraform's bytes and back. Built once per process; cheap to copy
// (the derived keys are shared and immutable); seal and open may run concurrently.
class private_state_codec {
 public:
  // No secret: seals as plain 0x01 (readable by anyone who can read the Terraform state) and
  // refuses encrypted input.
  [[nodiscard]] static private_state_codec unencrypted();

  // Seals with `secret`; opens data sealed with `secret` or `previous` (key rotation) and plain
  // data (written before a secret was configured, sealed encrypted on the next write). A secret
  // shorter than private_state_min_secret_size adds an error to `d` and gives nullopt.
  [[nodiscard]] static std::optional<private_state_codec> with_secret(
      std::string secret, std::optional<std::string> previous, diagnostics& d);

  // CPPVIDER_PRIVATE_STATE_SECRET unset: unencrypted(). Set (even to ""): with_secret, with
  // CPPVIDER_PRIVATE_STATE_SECRET_PREVIOUS as `previous` when set. PREVIOUS without the current
  // secret is an error.
  [[nodiscard]] static std::optional<private_state_codec> from_environment(diagnostics& d);

  [[nodiscard]] bool encrypts() const noexcept;

  // True when `bytes` is in the form seal() writes now (same format, same current key), so
  // unchanged private state can be passed back as is; false means re-seal (migration, rotation).
  [[nodiscard]] bool is_current(std::string_view bytes) const noexcept;

  // Empty state -> empty bytes. Throws std::runtime_error only if OpenSSL itself fails.
  [[nodiscard]] std::string seal(const private_state& state) const;

  // Empty bytes -> empty state. Anything unreadable adds one error to `d` and gives an empty
  // state; it never reads out of bounds or allocates more than the input's size.
  [[nodiscard]] private_state open(std::string_view bytes, diagnostics& d) const;

 private:
  struct keys;
  explicit private_state_codec(std::shared_ptr<const keys> k) : keys_(std::move(k)) {}
  std::shared_ptr<const keys> keys_;  // null: unencrypted
};

}  // namespace cppvider::framework
