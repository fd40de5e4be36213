"""`field__any=[...]`: membership in a list sent as ONE array parameter.

`pk__in` with 100,000 ids binds 100,000 parameters, which alone costs about a second;
`= ANY(%s)` binds one.
"""

from django.db.models import Field, Lookup


@Field.register_lookup
class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self):
        return list(self.rhs)

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, self.rhs]
