divert(-1)
#
# FEATURE(`generics_entire_domain') - the word generics_entire_domain in
# the class {Features}: genericstable applies to the subdomains of the
# domains of class G too (sendmaild acts on it natively, see cf/README).
#
define(`_CF_LOADED_', `1')dnl
