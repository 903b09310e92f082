#include "cppvider/framework/private_state.hpp"

// The format is described in the header. AES-256-GCM and HKDF come from OpenSSL 3's provider
// API; the cipher is fetched once per codec because an implicit fetch (EVP_aes_256_gcm()) looks
// the algorithm up again on every init.
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>

namespace cppvider::framework {

std::optional<std::string> private_state::get(std::string_view key) const {
  const auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void private_state::erase(std::string_view key) {
  // std::map::erase takes a transparent key only from C++23.
  if (const auto it = entries_.find(key); it != entries_.end()) entries_.erase(it);
}

namespace {

constexpr unsigned char plain_marker = 0x01;
constexpr unsigned char aes_gcm_marker = 0x02;
constexpr std::size_t key_size = 32;
constexpr std::size_t key_id_size = 4;
constexpr std::size_t nonce_size = 12;
constexpr std::size_t tag_size = 16;
constexpr std::size_t aad_size = 1 + key_id_size;
constexpr std::size_t header_size = aad_size + nonce_size;
constexpr std::size_t sealed_overhead = header_size + tag_size;

constexpr std::string_view hkdf_salt = "cppvider private state";
constexpr std::string_view key_info = "cppvider private state v1 key";
constexpr std::string_view key_id_info = "cppvider private state v1 key id";

// Without the secret the data is gone; the way out is a fresh private state from import.
constexpr char lost_secret_hint[] =
    " If that secret is lost, remove the resource from the state (terraform state rm) and import "
    "it again.";

// EVP_*Update take an int length; larger payloads go through in pieces.
constexpr std::size_t max_chunk = std::size_t{1} << 30;

template <class T, void (*Free)(T*)>
struct deleter {
  void operator()(T* p) const noexcept { Free(p); }
};
using cipher_ptr = std::unique_ptr<EVP_CIPHER, deleter<EVP_CIPHER, EVP_CIPHER_free>>;
using cipher_ctx_ptr =
    std::unique_ptr<EVP_CIPHER_CTX, deleter<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>>;
using kdf_ptr = std::unique_ptr<EVP_KDF, deleter<EVP_KDF, EVP_KDF_free>>;
using kdf_ctx_ptr = std::unique_ptr<EVP_KDF_CTX, deleter<EVP_KDF_CTX, EVP_KDF_CTX_free>>;

[[noreturn]] void fail(const char* what) {
  throw std::runtime_error(std::string("cppvider: private state: OpenSSL failed: ") + what);
}

void check(int ok, const char* what) {
  if (ok <= 0) fail(what);
}

unsigned char* bytes_of(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }
const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::string hex(std::string_view bytes) {
  constexpr std::string_view digits = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += digits[b >> 4];
    out += digits[b & 0xf];
  }
  return out;
}

// --- payload: varint(count) { varint(size) key varint(size) value }* ---

std::size_t varint_size(std::uint64_t v) {
  std::size_t n = 1;
  for (; v >= 0x80; v >>= 7) ++n;
  return n;
}

void put_varint(std::string& out, std::uint64_t v) {
  for (; v >= 0x80; v >>= 7) out += static_cast<char>((v & 0x7f) | 0x80);
  out += static_cast<char>(v);
}

std::size_t payload_size(const private_state& s) {
  std::size_t n = varint_size(s.size());
  for (const auto& [k, v] : s)
    n += varint_size(k.size()) + k.size() + varint_size(v.size()) + v.size();
  return n;
}

void put_payload(std::string& out, const private_state& s) {
  put_varint(out, s.size());
  for (const auto& [k, v] : s) {
    put_varint(out, k.size());
    out += k;
    put_varint(out, v.size());
    out += v;
  }
}

// Reads never past the end: every size is checked against what is left before it is used.
class reader {
 public:
  explicit reader(std::string_view in) : in_(in) {}

  [[nodiscard]] std::size_t remaining() const noexcept { return in_.size() - pos_; }

  std::optional<std::uint64_t> varint() {
    std::uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
      if (pos_ == in_.size()) return std::nullopt;
      const auto b = static_cast<unsigned char>(in_[pos_++]);
      if (shift == 63 && b > 1) return std::nullopt;  // more than 64 bits
      v |= std::uint64_t{b & 0x7fU} << shift;
      if ((b & 0x80) == 0) return v;
    }
    return std::nullopt;
  }

  std::optional<std::string_view> sized() {
    const auto n = varint();
    if (!n || *n > remaining()) return std::nullopt;
    const auto out = in_.substr(pos_, static_cast<std::size_t>(*n));
    pos_ += out.size();
    return out;
  }

 private:
  std::string_view in_;
  std::size_t pos_ = 0;
};

// nullopt and `why` set when malformed.
std::optional<private_state> parse_payload(std::string_view in, std::string& why) {
  reader r(in);
  const auto count = r.varint();
  if (!count) {
    why = "the entry count is missing or cut short";
    return std::nullopt;
  }
  // An entry takes at least two bytes; a larger count cannot be honest.
  if (*count > r.remaining() / 2) {
    why = "it claims " + std::to_string(*count) + " entries (2 bytes each at least) but only " +
          std::to_string(r.remaining()) + " bytes follow";
    return std::nullopt;
  }
  private_state out;
  for (std::uint64_t i = 0; i < *count; ++i) {
    const auto key = r.sized();
    const auto value = key ? r.sized() : std::nullopt;
    if (!value) {
      why = "entry " + std::to_string(i) + " of " + std::to_string(*count) + " is cut short";
      return std::nullopt;
    }
    if (out.contains(*key)) {
      why = "key \"" + std::string(*key) + "\" appears twice";
      return std::nullopt;
    }
    out.set(std::string(*key), std::string(*value));
  }
  if (r.remaining() != 0) {
    why = std::to_string(r.remaining()) + " stray bytes follow the last entry";
    return std::nullopt;
  }
  return out;
}

template <std::size_t N>
std::array<unsigned char, N> hkdf_sha256(EVP_KDF_CTX* ctx, std::string_view secret,
                                         std::string_view info) {
  // OSSL_PARAM wants non-const pointers but only reads through them.
  std::array<OSSL_PARAM, 5> params{
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>("SHA256"), 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<char*>(secret.data()),
                                        secret.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(hkdf_salt.data()),
                                        hkdf_salt.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()),
                                        info.size()),
      OSSL_PARAM_construct_end()};
  std::array<unsigned char, N> out{};
  check(EVP_KDF_derive(ctx, out.data(), out.size(), params.data()), "HKDF");
  return out;
}

// Runs `in` through an initialised context into `out` (may be the same memory: in place).
void update(EVP_CIPHER_CTX* ctx, bool encrypt, unsigned char* out, const unsigned char* in,
            std::size_t n) {
  while (n > 0) {
    const std::size_t step = std::min(n, max_chunk);
    int len = 0;
    const int ok = encrypt ? EVP_EncryptUpdate(ctx, out, &len, in, static_cast<int>(step))
                           : EVP_DecryptUpdate(ctx, out, &len, in, static_cast<int>(step));
    check(ok, "AES-GCM update");
    out += len;
    in += step;
    n -= step;
  }
}

}  // namespace

struct private_state_codec::keys {
  struct key {
    std::array<unsigned char, key_size> aes{};
    std::string id;  // key_id_size bytes
  };

  key current;
  std::optional<key> previous;
  cipher_ptr cipher;

  keys() = default;
  keys(const keys&) = delete;
  keys& operator=(const keys&) = delete;
  ~keys() {
    OPENSSL_cleanse(current.aes.data(), current.aes.size());
    if (previous) OPENSSL_cleanse(previous->aes.data(), previous->aes.size());
  }

  static key derive(EVP_KDF_CTX* ctx, std::string_view secret) {
    key k;
    k.aes = hkdf_sha256<key_size>(ctx, secret, key_info);
    const auto id = hkdf_sha256<key_id_size>(ctx, secret, key_id_info);
    k.id.assign(reinterpret_cast<const char*>(id.data()), id.size());
    return k;
  }

  [[nodiscard]] const key* find(std::string_view id) const {
    if (current.id == id) return &current;
    if (previous && previous->id == id) return &*previous;
    return nullptr;
  }
};

namespace {

bool secret_long_enough(std::string_view secret, std::string_view which, diagnostics& d) {
  if (secret.size() >= private_state_min_secret_size) return true;
  d.add_error(
      std::string("The ") + std::string(which) + " is too short",
      "It has " + std::to_string(secret.size()) + " bytes; at least " +
          std::to_string(private_state_min_secret_size) +
          " are required. Use a random value such as the output of `openssl rand -base64 32`: "
          "the secret is the only thing protecting the private state in the Terraform state.");
  return false;
}

std::optional<std::string> environment(std::string_view name) {
  const char* v = std::getenv(std::string(name).c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

}  // namespace

private_state_codec private_state_codec::unencrypted() { return private_state_codec(nullptr); }

std::optional<private_state_codec> private_state_codec::with_secret(
    std::string secret, std::optional<std::string> previous, diagnostics& d) {
  bool ok = secret_long_enough(
      secret, "private state secret (" + std::string(private_state_secret_env) + ")", d);
  if (previous) {
    ok = secret_long_enough(*previous,
                            "previous private state secret (" +
                                std::string(private_state_previous_secret_env) + ")",
                            d) &&
         ok;
  }
  if (!ok) {
    OPENSSL_cleanse(secret.data(), secret.size());
    if (previous) OPENSSL_cleanse(previous->data(), previous->size());
    return std::nullopt;
  }

  auto k = std::make_shared<keys>();
  {
    kdf_ptr kdf{EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_HKDF, nullptr)};
    if (!kdf) fail("fetch HKDF");
    kdf_ctx_ptr ctx{EVP_KDF_CTX_new(kdf.get())};
    if (!ctx) fail("HKDF context");
    k->current = keys::derive(ctx.get(), secret);
    if (previous && *previous != secret) k->previous = keys::derive(ctx.get(), *previous);
  }
  OPENSSL_cleanse(secret.data(), secret.size());
  if (previous) OPENSSL_cleanse(previous->data(), previous->size());

  k->cipher.reset(EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr));
  if (!k->cipher) fail("fetch AES-256-GCM");
  return private_state_codec(std::move(k));
}

std::optional<private_state_codec> private_state_codec::from_environment(diagnostics& d) {
  auto secret = environment(private_state_secret_env);
  auto previous = environment(private_state_previous_secret_env);
  if (!secret) {
    if (previous) {
      d.add_error(std::string(private_state_previous_secret_env) + " is set without " +
                      std::string(private_state_secret_env),
                  "The previous secret only helps read private state during a rotation; set " +
                      std::string(private_state_secret_env) +
                      " to the new secret, or unset both to store private state unencrypted.");
      return std::nullopt;
    }
    return unencrypted();
  }
  return with_secret(std::move(*secret), std::move(previous), d);
}

bool private_state_codec::encrypts() const noexcept { return keys_ != nullptr; }

bool private_state_codec::is_current(std::string_view bytes) const noexcept {
  if (bytes.empty()) return true;
  const auto marker = static_cast<unsigned char>(bytes.front());
  if (!keys_) return marker == plain_marker;
  return marker == aes_gcm_marker && bytes.size() >= aad_size &&
         bytes.substr(1, key_id_size) == keys_->current.id;
}

std::string private_state_codec::seal(const private_state& state) const {
  std::string out;
  if (state.empty()) return out;
  const std::size_t n = payload_size(state);
  if (!keys_) {
    out.reserve(1 + n);
    out += static_cast<char>(plain_marker);
    put_payload(out, state);
    return out;
  }

  const auto& key = keys_->current;
  out.reserve(sealed_overhead + n);
  out += static_cast<char>(aes_gcm_marker);
  out += key.id;
  out.resize(header_size);
  check(RAND_bytes(bytes_of(out) + aad_size, static_cast<int>(nonce_size)), "RAND_bytes");
  put_payload(out, state);
  out.resize(header_size + n + tag_size);

  // A context per call keeps seal and open free of shared mutable state.
  cipher_ctx_ptr ctx{EVP_CIPHER_CTX_new()};
  if (!ctx) fail("cipher context");
  unsigned char* p = bytes_of(out);
  check(EVP_EncryptInit_ex2(ctx.get(), keys_->cipher.get(), key.aes.data(), p + aad_size, nullptr),
        "AES-GCM init");
  int len = 0;
  check(EVP_EncryptUpdate(ctx.get(), nullptr, &len, p, static_cast<int>(aad_size)), "AES-GCM aad");
  update(ctx.get(), true, p + header_size, p + header_size, n);
  check(EVP_EncryptFinal_ex(ctx.get(), p + header_size + n, &len),
        "AES-GCM final");  // GCM: no output
  check(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(tag_size),
                            p + header_size + n),
        "AES-GCM tag");
  return out;
}

private_state private_state_codec::open(std::string_view bytes, diagnostics& d) const {
  if (bytes.empty()) return {};
  const auto marker = static_cast<unsigned char>(bytes.front());
  std::string why;

  if (marker == plain_marker) {
    // Plain data is accepted even with a secret set: it was written before the secret was
    // configured, and the next seal encrypts it.
    if (auto s = parse_payload(bytes.substr(1), why)) return std::move(*s);
    d.add_error("Private state is malformed",
                "The unencrypted private state could not be read: " + why +
                    ". It was cut short or modified outside Terraform.");
    return {};
  }

  if (marker != aes_gcm_marker) {
    d.add_error("Private state has an unknown format",
                "Its first byte is 0x" + hex(bytes.substr(0, 1)) +
                    "; this provider reads 0x01 (unencrypted) and 0x02 (AES-256-GCM). It was "
                    "probably written by a newer version of the provider.");
    return {};
  }

  if (!keys_) {
    d.add_error("Private state is encrypted but no secret is set",
                "Set " + std::string(private_state_secret_env) +
                    " to the secret that was set when this resource was last written." +
                    lost_secret_hint);
    return {};
  }

  if (bytes.size() < sealed_overhead) {
    d.add_error("Private state is truncated", "It has " + std::to_string(bytes.size()) +
                                                  " bytes; encrypted private state has " +
                                                  std::to_string(sealed_overhead) + " at least.");
    return {};
  }

  const auto id = bytes.substr(1, key_id_size);
  const auto* key = keys_->find(id);
  if (key == nullptr) {
    const std::string known = keys_->previous
                                  ? "the current and previous secrets have " +
                                        hex(keys_->current.id) + " and " + hex(keys_->previous->id)
                                  : "the current secret has " + hex(keys_->current.id);
    d.add_error("Private state was sealed with a different key",
                "Its key id is " + hex(id) + "; " + known + ". Set " +
                    std::string(private_state_secret_env) +
                    " to the secret used when it was written, or keep that secret in " +
                    std::string(private_state_previous_secret_env) + " while rotating." +
                    lost_secret_hint);
    return {};
  }

  const unsigned char* in = bytes_of(bytes);
  const std::size_t n = bytes.size() - sealed_overhead;
  std::string plain(n, '\0');  // never more than the input
  cipher_ctx_ptr ctx{EVP_CIPHER_CTX_new()};
  if (!ctx) fail("cipher context");
  check(
      EVP_DecryptInit_ex2(ctx.get(), keys_->cipher.get(), key->aes.data(), in + aad_size, nullptr),
      "AES-GCM init");
  int len = 0;
  check(EVP_DecryptUpdate(ctx.get(), nullptr, &len, in, static_cast<int>(aad_size)), "AES-GCM aad");
  update(ctx.get(), false, bytes_of(plain), in + header_size, n);
  // The tag is only read through this pointer; the ctrl interface is not const-correct.
  std::array<unsigned char, tag_size> tag{};
  std::copy_n(in + header_size + n, tag_size, tag.begin());
  check(
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(tag_size), tag.data()),
      "AES-GCM set tag");
  if (EVP_DecryptFinal_ex(ctx.get(), bytes_of(plain) + n, &len) <= 0) {
    d.add_error("Private state failed authentication: it was modified or sealed with another key",
                "Its key id matches the " +
                    std::string(key == &keys_->current ? "current" : "previous") +
                    " secret, but the data does not: it was changed or cut short after it was "
                    "written. Terraform state should only be changed through Terraform.");
    return {};
  }

  if (auto s = parse_payload(plain, why)) return std::move(*s);
  d.add_error("Private state is malformed", "It decrypted, but could not be read: " + why + ".");
  return {};
}

namespace detail {
void init_crypto() noexcept { OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, nullptr); }
}  // namespace detail

}  // namespace cppvider::framework
