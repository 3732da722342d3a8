/**
 * `db check` rule on the views in schema `wardroom`: each is
 * security_invoker, so the policies of the tables it reads apply to the
 * querying role rather than to the view's owner.
 */
import { SCHEMA, type AddFinding, type Query } from './shared.js';

/** `view_not_security_invoker`. */
export async function checkViews(q: Query, add: AddFinding): Promise<void> {
  const views = await q<{ name: string; kind: string; invoker: boolean }>(
    `select format('%I.%I', $1::text, c.relname) as name, c.relkind as kind,
            coalesce((select o.option_value::boolean from pg_options_to_table(c.reloptions) o
                       where o.option_name = 'security_invoker'), false) as invoker
       from pg_class c where c.relnamespace = $1::regnamespace and c.relkind = 'v' order by 1`,
    [SCHEMA],
  );
  for (const v of views) {
    if (!v.invoker) {
      add('view_not_security_invoker', v.name, `view ${v.name} lacks security_invoker=true`);
    }
  }
}
