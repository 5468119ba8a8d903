divert(-1)
#
# FEATURE(`dnsbl' [, zone [, message [, `t']]]) - refuse clients whose
# address the DNS block list zone lists:  C{Dnsbl}zone
#
define(`_CF_LOADED_', `1')dnl
_CF_EMIT_(`2', `C{Dnsbl}'ifelse(defn(`_ARG_'), `', `blackholes.mail-abuse.org', `defn(`_ARG_')'))
ifelse(defn(`_ARG3_'), `t', `_CF_SET_ADD_(`_CF_FEATURES_', `dnsbl_tempfail')')
