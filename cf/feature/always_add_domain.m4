divert(-1)
#
# FEATURE(`always_add_domain' [, domain]) - qualify unqualified addresses
# even for local delivery, with $j or the domain given:
#	D{always_add_domain}domain
#
define(`_CF_LOADED_', `1')dnl
ifelse(defn(`_ARG_'), `', `', `define(`_ALWAYS_ADD_DOMAIN_', defn(`_ARG_'))')
