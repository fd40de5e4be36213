"""`field__any=[...]`: membership in a list sent as ONE array parameter on PostgreSQL.

`pk__in` with 100,000 ids binds 100,000 parameters, which alone costs about a second;
`= ANY(%s)` binds one. Other databases fall back to IN.
"""

from django.db.models import Field, Lookup
from django.db.models.lookups import In


@Field.register_lookup
class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self):
        return list(self.rhs)

    def as_sql(self, compiler, connection):
        return In(self.lhs, self.rhs).as_sql(compiler, connection)

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, self.rhs]
