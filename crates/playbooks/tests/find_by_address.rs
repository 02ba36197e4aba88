//! Finding a person by an e-mail address that is not their sign-in name (graph-api.md §11.6):
//! `GET /users/{upn}` resolves only the UPN, so mail, other e-mails and aliases are looked up
//! with `$filter`, in the directory and in the recycle bin. Nobody found is said as what was
//! searched, never as "permanently deleted".

mod common;

use common::{Training, GLOBAL_ADMIN, HELPDESK};
use playbooks::find::{find_person, FoundBy};
use playbooks::reactivate::{self, ReturnState};
use playbooks::Error;

const DOMAIN: &str = "contoso-training.onmicrosoft.com";
const PERSONAL: &str = "ivy.intern.home@example.net";

#[tokio::test]
async fn a_renamed_person_is_found_by_her_mail() {
    let training = Training::start().await;
    let desk = training.desk(HELPDESK).await;
    let (id, upn) = training.person("renamed");
    assert_eq!(upn, format!("amelia.stone@{DOMAIN}"));
    let mail = format!("Amelia.Hart@{DOMAIN}");
    let found = find_person(&desk, &mail).await.unwrap();
    assert_eq!(found.id, id);
    assert_eq!(
        found.found_by,
        Some(FoundBy::Mail {
            address: format!("amelia.hart@{DOMAIN}")
        })
    );
}

#[tokio::test]
async fn an_alias_on_a_second_domain_is_found_whatever_its_case() {
    let training = Training::start().await;
    let desk = training.desk(HELPDESK).await;
    let (id, _) = training.person("second-domain");
    // Stored as `smtp:sanjay.patel@contoso-sales.example`; typed in capitals.
    let found = find_person(&desk, "SANJAY.Patel@Contoso-Sales.example")
        .await
        .unwrap();
    assert_eq!(found.id, id);
    let how = found.found_by.clone().expect("how the person was found");
    assert_eq!(
        how,
        FoundBy::Alias {
            address: "smtp:sanjay.patel@contoso-sales.example".into()
        }
    );
    assert_eq!(
        how.sentence(),
        "Found by alias smtp:sanjay.patel@contoso-sales.example"
    );
}

#[tokio::test]
async fn a_guest_is_found_by_the_address_he_was_invited_with_and_by_his_ext_upn() {
    let training = Training::start().await;
    let desk = training.desk(HELPDESK).await;
    let (id, upn) = training.person("guest");
    assert_eq!(upn, format!("gabriel.gast_fabrikam.com#EXT#@{DOMAIN}"));
    let found = find_person(&desk, "gabriel.gast@fabrikam.com")
        .await
        .unwrap();
    assert_eq!(found.id, id);
    assert!(matches!(found.found_by, Some(FoundBy::Mail { .. })));
    // The `#` of the UPN travels as %23 in the path (graph-api.md §5.1).
    let by_upn = find_person(&desk, &upn).await.unwrap();
    assert_eq!((by_upn.id.as_str(), by_upn.found_by), (id.as_str(), None));
}

#[tokio::test]
async fn the_intern_returns_and_is_looked_up_by_her_personal_address() {
    let training = Training::start().await;
    let desk = training.desk(GLOBAL_ADMIN).await;
    let (id, _) = training.person("intern-returning");

    // In the directory, sign-in off: the plan turns it back on and says how she was found.
    let preview = reactivate::preview(&desk, PERSONAL).await.unwrap();
    assert_eq!(preview.state, ReturnState::Disabled);
    assert_eq!(
        preview.person.as_ref().map(|p| p.id.as_str()),
        Some(id.as_str())
    );
    assert_eq!(preview.plan.steps[0].id, "enable");
    let facts = preview.plan.target.facts.join("\n");
    assert!(
        facts.contains(&format!("Found by other e-mail {PERSONAL}")),
        "{facts}"
    );

    // In the recycle bin: the same address still finds her there.
    desk.graph().delete_user(&id).await.unwrap();
    let preview = reactivate::preview(&desk, PERSONAL).await.unwrap();
    assert!(
        matches!(preview.state, ReturnState::InRecycleBin { .. }),
        "{:?}",
        preview.state
    );
    let person = preview.person.expect("found in the recycle bin");
    assert_eq!(person.id, id);
    assert!(person.is_deleted());
    assert_eq!(
        person.found_by,
        Some(FoundBy::OtherMail {
            address: PERSONAL.into()
        })
    );
    assert_eq!(preview.plan.steps[0].id, "restore");
}

#[tokio::test]
async fn someone_in_the_recycle_bin_is_found_by_an_old_alias() {
    let training = Training::start().await;
    let desk = training.desk(HELPDESK).await;
    let (id, _) = training.person("alias-recycled");
    let found = find_person(&desk, "t.binns@contoso-sales.example")
        .await
        .unwrap();
    assert_eq!(found.id, id);
    assert!(found.is_deleted());
    assert_eq!(
        found.found_by,
        Some(FoundBy::Alias {
            address: "smtp:t.binns@contoso-sales.example".into()
        })
    );
    let preview = reactivate::preview(&desk, "t.binns@contoso-sales.example")
        .await
        .unwrap();
    assert!(matches!(preview.state, ReturnState::InRecycleBin { .. }));
}

#[tokio::test]
async fn an_address_two_people_share_lists_both_and_picks_neither() {
    let training = Training::start().await;
    let desk = training.desk(HELPDESK).await;
    match find_person(&desk, "contractors@northwind.example")
        .await
        .unwrap_err()
    {
        Error::Ambiguous { candidates, .. } => {
            assert_eq!(candidates.len(), 2, "{candidates:?}");
            for name in ["Amelia Hart", "Sanjay Patel"] {
                assert!(
                    candidates.iter().any(|c| c.starts_with(name)
                        && c.ends_with("found by other e-mail contractors@northwind.example")),
                    "{name} in {candidates:?}"
                );
            }
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn nobody_with_the_address_says_what_was_searched_and_never_permanently_deleted() {
    let training = Training::start().await;
    let desk = training.desk(HELPDESK).await;
    let address = "nobody.at.all@example.org";
    let error = find_person(&desk, address).await.unwrap_err();
    assert_eq!(error.code(), "person_not_found");
    assert_eq!(
        error.to_string(),
        format!("no one has the address \"{address}\" as sign-in name, e-mail or alias, in the directory or the recycle bin")
    );

    let preview = reactivate::preview(&desk, address).await.unwrap();
    assert_eq!(preview.state, ReturnState::NotFound);
    assert!(preview.plan.steps.is_empty());
    let text = preview.plan.render_text();
    assert!(
        text.contains("no one with this address as sign-in name, e-mail or alias, in the directory or the recycle bin"),
        "{text}"
    );
    assert!(!text.contains("was permanently deleted"), "{text}");
    // The trap warning stays.
    for words in ["duplicate", "32-character prefix", address] {
        assert!(text.contains(words), "{words}: {text}");
    }
}

#[tokio::test]
async fn offboarding_by_an_alias_plans_for_that_person_and_says_how_he_was_found() {
    let training = Training::start().await;
    let desk = training.desk(HELPDESK).await;
    let (id, _) = training.person("second-domain");
    let preview = playbooks::offboard::preview(
        &desk,
        "sanjay.patel@contoso-sales.example",
        playbooks::offboard::Departure::Temporary,
    )
    .await
    .unwrap();
    assert_eq!(preview.plan.target.id.as_deref(), Some(id.as_str()));
    assert!(
        preview
            .plan
            .target
            .facts
            .iter()
            .any(|f| f == "Found by alias smtp:sanjay.patel@contoso-sales.example"),
        "{:?}",
        preview.plan.target.facts
    );
}
