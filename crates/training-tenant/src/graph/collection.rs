//! A directory collection served the same way for each resource type that has no query
//! options of its own (`/groups`, `/servicePrincipals`): `$select`, `$filter` on the full
//! representation, no `$orderby` or `$search`, paging by object id, and `@odata.count` with
//! advanced queries.

use serde_json::{json, Map, Value};

use super::query::{self, paginate};
use super::{Call, GraphError, GraphResponse};

pub struct Collection {
    /// The entity set, e.g. `groups`.
    pub name: &'static str,
    /// The type named in `$select` errors, e.g. `Microsoft.DirectoryServices.Group`.
    pub type_name: &'static str,
    /// The entity named in `$filter` / `$orderby` errors, e.g. `Group`.
    pub entity: &'static str,
    pub properties: &'static [&'static str],
    pub filterable: &'static [&'static str],
}

impl Collection {
    /// One page of `objects` (in key order) as `to_json` renders them.
    pub fn list<'o, T: 'o>(
        &self,
        call: &Call,
        objects: impl Iterator<Item = (&'o String, &'o T)>,
        to_json: impl Fn(&T) -> Map<String, Value>,
    ) -> Result<GraphResponse, GraphError> {
        let q = &call.query;
        self.check_select(call)?;
        let advanced = q.advanced(call.req.consistency_eventual());
        q.check_filter(self.entity, self.filterable, advanced)?;
        q.check_orderby(self.entity, &[], advanced)?;
        q.check_search(&[], call.req.consistency_eventual())?;
        let matching: Vec<(String, &T)> = objects
            .filter(|(_, o)| {
                q.filter.as_ref().is_none_or(|f| {
                    let full = to_json(o);
                    f.matches(&|p| full.get(query::canonical(self.properties, p).unwrap_or(p)))
                })
            })
            .map(|(k, o)| (k.clone(), o))
            .collect();
        let total = matching.len();
        let page = paginate(matching, q)?;
        let mut body = json!({ "@odata.context": call.collection_context(self.name) });
        if advanced && q.skiptoken.is_none() {
            body["@odata.count"] = json!(total);
        }
        if let Some(t) = &page.next_skiptoken {
            body["@odata.nextLink"] = json!(call.next_link(t));
        }
        body["value"] = Value::Array(
            page.items
                .into_iter()
                .map(|o| Value::Object(self.project(call, to_json(o))))
                .collect(),
        );
        Ok(GraphResponse::ok(body))
    }

    /// `$select` names only properties of the type.
    pub fn check_select(&self, call: &Call) -> Result<(), GraphError> {
        call.query.check_select(self.type_name, self.properties)
    }

    /// One object as `GET {collection}/{id}` answers it (`check_select` first).
    pub fn entity(&self, call: &Call, full: Map<String, Value>) -> GraphResponse {
        let mut body = Map::new();
        body.insert(
            "@odata.context".into(),
            json!(call.collection_context(self.name) + "/$entity"),
        );
        body.extend(self.project(call, full));
        GraphResponse::ok(Value::Object(body))
    }

    /// `$select` applied to the full representation.
    pub fn project(&self, call: &Call, full: Map<String, Value>) -> Map<String, Value> {
        match &call.query.select {
            Some(s) => query::project(&full, Some(s), &[], self.properties),
            None => full,
        }
    }
}
