#include "cppvider/plugin/tls.hpp"

// The key is made through OpenSSL's EC_KEY interface, deprecated in 3.0 but still shipped: a
// provider-backed key (EVP_PKEY_Q_keygen) costs an algorithm fetch on generation and an
// OSSL_ENCODER round on X509_set_pubkey, together about 6 M instructions of the ~17 M the
// identity took on the start-up path (callgrind, docs/benchmarks.md); the EC arithmetic itself is
// well under 1 M. The ENGINE at the end (deprecated the same way) serves gRPC's TLS set-up, see
// tls_startup.hpp. Everything else uses the current API.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/engine.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <mutex>
#include <stdexcept>

#include "tls_startup.hpp"

namespace cppvider::plugin {
namespace {

template <class T, void (*Free)(T*)>
struct deleter {
  void operator()(T* p) const noexcept { Free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, deleter<EVP_PKEY, EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, deleter<X509, X509_free>>;
using bio_ptr = std::unique_ptr<BIO, deleter<BIO, BIO_free_all>>;
using bn_ptr = std::unique_ptr<BIGNUM, deleter<BIGNUM, BN_free>>;
using ext_ptr = std::unique_ptr<X509_EXTENSION, deleter<X509_EXTENSION, X509_EXTENSION_free>>;

[[noreturn]] void fail(const char* what) {
  throw std::runtime_error(std::string("cppvider: certificate generation failed: ") + what);
}

void check(int ok, const char* what) {
  if (ok <= 0) fail(what);
}

std::string bio_string(BIO* b) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(b, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

void add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  ext_ptr ext{X509V3_EXT_conf_nid(nullptr, &ctx, nid, value)};
  if (!ext) fail("extension");
  check(X509_add_ext(cert, ext.get(), -1), "add extension");
}

}  // namespace

key_curve parse_curve(std::string_view name, key_curve fallback) {
  if (name == "P-256" || name == "p256" || name == "prime256v1") return key_curve::p256;
  if (name == "P-384" || name == "p384" || name == "secp384r1") return key_curve::p384;
  if (name == "P-521" || name == "p521" || name == "secp521r1") return key_curve::p521;
  return fallback;
}

server_identity generate_server_identity(const identity_options& options) {
  int curve_nid = NID_X9_62_prime256v1;
  const EVP_MD* digest = EVP_sha256();
  if (options.curve == key_curve::p384) {
    curve_nid = NID_secp384r1;
    digest = EVP_sha384();
  } else if (options.curve == key_curve::p521) {
    curve_nid = NID_secp521r1;
    digest = EVP_sha512();
  }

  pkey_ptr key{EVP_PKEY_new()};
  {
    std::unique_ptr<EC_KEY, deleter<EC_KEY, EC_KEY_free>> ec{EC_KEY_new_by_curve_name(curve_nid)};
    if (!ec || !key) fail("key allocation");
    EC_KEY_set_asn1_flag(ec.get(), OPENSSL_EC_NAMED_CURVE);
    check(EC_KEY_generate_key(ec.get()), "key generation");
    check(EVP_PKEY_assign_EC_KEY(key.get(), ec.get()), "key assignment");
    ec.release();  // owned by `key` now
  }

  x509_ptr cert{X509_new()};
  if (!cert) fail("X509_new");
  check(X509_set_version(cert.get(), 2), "version");

  unsigned char serial_bytes[16];
  check(RAND_bytes(serial_bytes, sizeof serial_bytes), "serial");
  serial_bytes[0] &= 0x7f;  // positive
  bn_ptr serial{BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr)};
  if (!serial || !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())))
    fail("serial");

  // As go-plugin: valid from 30 s ago (clock skew), for 30 years.
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -30);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 262980);

  X509_NAME* name = X509_get_subject_name(cert.get());
  check(X509_NAME_add_entry_by_txt(
            name, "O", MBSTRING_ASC,
            reinterpret_cast<const unsigned char*>(options.organization.c_str()), -1, -1, 0),
        "subject O");
  check(X509_NAME_add_entry_by_txt(
            name, "CN", MBSTRING_ASC,
            reinterpret_cast<const unsigned char*>(options.common_name.c_str()), -1, -1, 0),
        "subject CN");
  check(X509_set_issuer_name(cert.get(), name), "issuer");
  check(X509_set_pubkey(cert.get(), key.get()), "public key");

  add_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_extension(cert.get(), NID_key_usage,
                "critical,digitalSignature,keyEncipherment,keyAgreement,keyCertSign");
  add_extension(cert.get(), NID_ext_key_usage, "serverAuth,clientAuth");
  const std::string san = "DNS:" + options.common_name;
  add_extension(cert.get(), NID_subject_alt_name, san.c_str());
  add_extension(cert.get(), NID_subject_key_identifier, "hash");

  if (X509_sign(cert.get(), key.get(), digest) <= 0) fail("sign");

  server_identity id;
  {
    bio_ptr b{BIO_new(BIO_s_mem())};
    check(PEM_write_bio_PrivateKey(b.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr),
          "key PEM");
    id.private_key_pem = bio_string(b.get());
  }
  {
    bio_ptr b{BIO_new(BIO_s_mem())};
    check(PEM_write_bio_X509(b.get(), cert.get()), "certificate PEM");
    id.certificate_pem = bio_string(b.get());
  }
  const int der_len = i2d_X509(cert.get(), nullptr);
  if (der_len <= 0) fail("DER");
  id.certificate_der.resize(static_cast<std::size_t>(der_len));
  auto* p = reinterpret_cast<unsigned char*>(id.certificate_der.data());
  i2d_X509(cert.get(), &p);
  id.native_key = std::shared_ptr<void>(
      key.release(), [](void* k) noexcept { EVP_PKEY_free(static_cast<EVP_PKEY*>(k)); });
  return id;
}

namespace detail {
namespace {

// The ENGINE that hands gRPC the key: its only function loads the key registered last.
constexpr const char* key_engine_id = "cppvider-key";
std::mutex key_mutex;
std::shared_ptr<void> registered_key;
unsigned long registered_key_serial = 0;

EVP_PKEY* load_registered_key(ENGINE*, const char* key_id, UI_METHOD*, void*) {
  std::lock_guard lock(key_mutex);
  if (!registered_key || std::to_string(registered_key_serial) != key_id) return nullptr;
  auto* k = static_cast<EVP_PKEY*>(registered_key.get());
  return EVP_PKEY_up_ref(k) == 1 ? k : nullptr;  // gRPC frees its reference
}

// For EC public keys the ENGINE offers OpenSSL's built-in EC method, which makes d2i_X509 decode
// the key the legacy way; otherwise OpenSSL 3.0 builds an OSSL_DECODER chain for every certificate
// (~1.4 M instructions each, three in gRPC's TLS set-up). Registered only while gRPC parses.
int ec_pkey_meths(ENGINE*, EVP_PKEY_METHOD** pmeth, const int** nids, int nid) {
  static const int ec_nids[] = {EVP_PKEY_EC};
  if (pmeth == nullptr) {
    *nids = ec_nids;
    return 1;
  }
  *pmeth = nid == EVP_PKEY_EC ? const_cast<EVP_PKEY_METHOD*>(EVP_PKEY_meth_find(nid)) : nullptr;
  return *pmeth != nullptr ? 1 : 0;
}

ENGINE* make_key_engine() {
  ENGINE* e = ENGINE_new();
  if (e == nullptr) return nullptr;
  const bool ok = ENGINE_set_id(e, key_engine_id) == 1 &&
                  ENGINE_set_name(e, "cppvider: in-memory AutoMTLS key") == 1 &&
                  ENGINE_set_load_privkey_function(e, load_registered_key) == 1 &&
                  ENGINE_set_pkey_meths(e, ec_pkey_meths) == 1 && ENGINE_add(e) == 1;
  if (!ok) {
    ENGINE_free(e);
    return nullptr;
  }
  return e;  // this reference is kept for the process's lifetime
}

ENGINE* key_engine() {
  static ENGINE* const e = make_key_engine();
  return e;
}

}  // namespace

void skip_openssl_config() { OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, nullptr); }

void begin_certificate_parsing() {
  if (ENGINE* e = key_engine()) ENGINE_register_pkey_meths(e);
}

void end_certificate_parsing() {
  if (ENGINE* e = key_engine()) ENGINE_unregister_pkey_meths(e);
}

std::string engine_key_reference(const server_identity& identity) {
  if (!identity.native_key) return {};
  if (key_engine() == nullptr) return {};
  std::lock_guard lock(key_mutex);
  registered_key = identity.native_key;
  return std::string("engine:") + key_engine_id + ":" + std::to_string(++registered_key_serial);
}

}  // namespace detail

}  // namespace cppvider::plugin
