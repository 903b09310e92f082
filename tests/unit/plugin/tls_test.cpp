#include "cppvider/plugin/tls.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace plugin = cppvider::plugin;

namespace {
struct x509_free_t {
  void operator()(X509* x) const { X509_free(x); }
};

std::unique_ptr<X509, x509_free_t> parse_der(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  return std::unique_ptr<X509, x509_free_t>(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
}
}  // namespace

class Identity : public ::testing::TestWithParam<plugin::key_curve> {};

TEST_P(Identity, IsASelfSignedLocalhostCertificate) {
  const auto id = plugin::generate_server_identity({.curve = GetParam()});
  EXPECT_NE(id.private_key_pem.find("PRIVATE KEY"), std::string::npos);
  EXPECT_NE(id.certificate_pem.find("BEGIN CERTIFICATE"), std::string::npos);
  auto cert = parse_der(id.certificate_der);
  ASSERT_TRUE(cert);

  // Self-signed: verifies with its own public key.
  EVP_PKEY* pub = X509_get0_pubkey(cert.get());
  ASSERT_NE(pub, nullptr);
  EXPECT_EQ(X509_verify(cert.get(), pub), 1);

  const int bits = EVP_PKEY_get_bits(pub);
  const int expected_bits = GetParam() == plugin::key_curve::p256   ? 256
                            : GetParam() == plugin::key_curve::p384 ? 384
                                                                    : 521;
  EXPECT_EQ(bits, expected_bits);

  // SAN DNS:localhost, which Go's TLS client checks (it ignores the CN).
  EXPECT_EQ(X509_check_host(cert.get(), "localhost", 0, 0, nullptr), 1);
  // Extended key usage includes serverAuth; not yet expired and valid for years.
  EXPECT_TRUE(X509_get_extended_key_usage(cert.get()) & XKU_SSL_SERVER);
  EXPECT_LT(X509_cmp_current_time(X509_get0_notBefore(cert.get())), 0);
  EXPECT_GT(X509_cmp_current_time(X509_get0_notAfter(cert.get())), 0);
}

INSTANTIATE_TEST_SUITE_P(Curves, Identity,
                         ::testing::Values(plugin::key_curve::p256, plugin::key_curve::p384,
                                           plugin::key_curve::p521));

TEST(Identity, EachCallMakesANewKey) {
  const auto a = plugin::generate_server_identity();
  const auto b = plugin::generate_server_identity();
  EXPECT_NE(a.private_key_pem, b.private_key_pem);
  EXPECT_NE(a.certificate_der, b.certificate_der);
}

TEST(Identity, ParsesCurveNames) {
  EXPECT_EQ(plugin::parse_curve("P-384"), plugin::key_curve::p384);
  EXPECT_EQ(plugin::parse_curve("secp521r1"), plugin::key_curve::p521);
  EXPECT_EQ(plugin::parse_curve("nonsense", plugin::key_curve::p384), plugin::key_curve::p384);
}
