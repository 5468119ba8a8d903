divert(-1)
#
# FEATURE(`nouucp' [, `reject' | `nospecial']) - "!" is no UUCP route:
# it leaves the operator class {O}; with reject such addresses are
# refused.  Words nouucp (and nouucp_reject) in {Features}.
#
define(`_CF_LOADED_', `1')dnl
ifelse(defn(`_ARG_'), `reject', `_CF_SET_ADD_(`_CF_FEATURES_', `nouucp_reject')',
    defn(`_ARG_'), `nospecial', `',
    defn(`_ARG_'), `', `',
    `_CF_ERROR_(`FEATURE(nouucp): the argument is reject or nospecial, not _ARG_')')
