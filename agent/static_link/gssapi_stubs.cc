// GSSAPI entry points for the statically linked tidemark-agent (agent/CMakeLists.txt,
// TIDEMARK_AGENT_STATIC). Debian's libzmq.a is built with the GSSAPI mechanism, so
// its ZMTP engine refers to these functions; linking the real libgssapi_krb5 would load
// the whole Kerberos stack (krb5, k5crypto, krb5support, com_err, keyutils, resolv:
// about 0.6 MB resident) into an agent that never uses it. ZeroMQ reaches them only
// on a socket whose ZMQ_GSSAPI_SERVER/ZMQ_GSSAPI_PRINCIPAL option is set, which the
// agent never sets (it speaks CURVE or, with --insecure, NULL), so each answers
// GSS_S_FAILURE and nothing more. Linked into tidemark-agent alone: a program that
// also loads the real library must not get these.
#include <gssapi/gssapi.h>

namespace {
constexpr OM_uint32 fail(OM_uint32* minor_status) {
  if (minor_status != nullptr) *minor_status = 0;
  return GSS_S_FAILURE;
}
}  // namespace

extern "C" {

gss_OID GSS_C_NT_HOSTBASED_SERVICE = GSS_C_NO_OID;
gss_OID GSS_C_NT_USER_NAME = GSS_C_NO_OID;

OM_uint32 gss_acquire_cred(OM_uint32* minor_status, gss_name_t, OM_uint32, gss_OID_set,
                           gss_cred_usage_t, gss_cred_id_t*, gss_OID_set*, OM_uint32*) {
  return fail(minor_status);
}

OM_uint32 gss_release_cred(OM_uint32* minor_status, gss_cred_id_t*) { return fail(minor_status); }

OM_uint32 gss_init_sec_context(OM_uint32* minor_status, gss_cred_id_t, gss_ctx_id_t*, gss_name_t,
                               gss_OID, OM_uint32, OM_uint32, gss_channel_bindings_t, gss_buffer_t,
                               gss_OID*, gss_buffer_t, OM_uint32*, OM_uint32*) {
  return fail(minor_status);
}

OM_uint32 gss_accept_sec_context(OM_uint32* minor_status, gss_ctx_id_t*, gss_cred_id_t,
                                 gss_buffer_t, gss_channel_bindings_t, gss_name_t*, gss_OID*,
                                 gss_buffer_t, OM_uint32*, OM_uint32*, gss_cred_id_t*) {
  return fail(minor_status);
}

OM_uint32 gss_delete_sec_context(OM_uint32* minor_status, gss_ctx_id_t*, gss_buffer_t) {
  return fail(minor_status);
}

OM_uint32 gss_wrap(OM_uint32* minor_status, gss_ctx_id_t, int, gss_qop_t, gss_buffer_t, int*,
                   gss_buffer_t) {
  return fail(minor_status);
}

OM_uint32 gss_unwrap(OM_uint32* minor_status, gss_ctx_id_t, gss_buffer_t, gss_buffer_t, int*,
                     gss_qop_t*) {
  return fail(minor_status);
}

OM_uint32 gss_display_name(OM_uint32* minor_status, gss_name_t, gss_buffer_t, gss_OID*) {
  return fail(minor_status);
}

OM_uint32 gss_import_name(OM_uint32* minor_status, gss_buffer_t, gss_OID, gss_name_t*) {
  return fail(minor_status);
}

OM_uint32 gss_release_name(OM_uint32* minor_status, gss_name_t*) { return fail(minor_status); }

OM_uint32 gss_release_buffer(OM_uint32* minor_status, gss_buffer_t) { return fail(minor_status); }

}  // extern "C"
