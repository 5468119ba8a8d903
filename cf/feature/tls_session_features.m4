divert(-1)
#
# FEATURE(`tls_session_features') - the word tls_session_features in the class {Features}; sendmaild acts
# on it natively (see cf/README).
#
define(`_CF_LOADED_', `1')dnl
