divert(-1)
#
# FEATURE(`nocanonify' [, `canonify_hosts']) - do not canonify host
# names through DNS; with canonify_hosts, still canonify names with no
# dot.  Words nocanonify (and canonify_hosts) in {Features}.
#
define(`_CF_LOADED_', `1')dnl
ifelse(defn(`_ARG_'), `canonify_hosts', `_CF_SET_ADD_(`_CF_FEATURES_', `canonify_hosts')',
    defn(`_ARG_'), `', `', `_CF_ERROR_(`FEATURE(nocanonify): unknown argument _ARG_')')
