//! Service rules that need a database but no HTTP: a fresh database and state per test
//! (`helpers::test_state`), the services called directly.

use app::domain::identity::{AddressInput, RegisterInput, Role, UpdateUserAccess};
use app::domain::{Currency, Money, PageRequest};
use app::services::{catalog, identity};
use rust_decimal::Decimal;

use crate::helpers::test_state;

#[tokio::test]
async fn every_price_is_written_in_the_store_currency() {
    let test = test_state(|s| s.shop.currency = Currency::parse("EUR").unwrap()).await;
    let state = &test.state;
    let usd = Money::new(Decimal::new(1999, 2), Currency::parse("USD").unwrap());
    let err = app::error::AppError::from(catalog::store_price(state, usd).unwrap_err());
    assert_eq!(err.code.status(), 422);
    assert_eq!(err.field("price"), ["must be in the store currency, EUR"]);

    catalog::seed_demo_catalog(state, 0).await.unwrap();
    let page = catalog::list_products(state, None, Default::default(), PageRequest { page: 1, per_page: 100 })
        .await
        .unwrap();
    assert!(!page.items.is_empty());
    assert!(page.items.iter().all(|p| p.price.currency.as_str() == "EUR"));
}

#[tokio::test]
async fn the_actor_is_recorded_and_the_staff_area_checks_its_permission() {
    let test = test_state(|_| {}).await;
    let state = &test.state;
    let register = |email: &str| RegisterInput {
        email: email.into(),
        display_name: "Someone".into(),
        password: "correct horse battery".into(),
    };
    let admin = identity::create_user_with_role(state, register("boss@example.com"), Role::Admin)
        .await
        .unwrap();
    let ada = identity::create_user_with_role(state, register("ada@example.com"), Role::Customer)
        .await
        .unwrap();
    let grant = |id| identity::SessionGrant {
        user_id: id,
        credentials_version: 1,
    };
    let boss = identity::authenticate_session(state, grant(admin.id))
        .await
        .unwrap()
        .unwrap();
    let customer = identity::authenticate_session(state, grant(ada.id))
        .await
        .unwrap()
        .unwrap();

    assert_eq!(identity::enter_staff_area(&boss).unwrap().id, admin.id);
    assert!(identity::enter_staff_area(&customer).is_err());

    let change = UpdateUserAccess {
        role: Some("staff".into()),
        active: None,
    };
    identity::update_user_access(state, &boss, ada.id, change)
        .await
        .unwrap();
    let updated_by: Option<uuid::Uuid> = sqlx::query_scalar("SELECT updated_by FROM users WHERE id = $1")
        .bind(ada.id.0)
        .fetch_one(&state.db)
        .await
        .unwrap();
    assert_eq!(updated_by, Some(admin.id.0));

    let address = AddressInput {
        full_name: "Ada".into(),
        line1: "1 Main St".into(),
        city: "Berlin".into(),
        postal_code: "10115".into(),
        country: "de".into(),
        ..Default::default()
    };
    let saved = identity::create_address(state, &customer, address).await.unwrap();
    let created_by: Option<uuid::Uuid> = sqlx::query_scalar("SELECT created_by FROM addresses WHERE id = $1")
        .bind(saved.id.0)
        .fetch_one(&state.db)
        .await
        .unwrap();
    assert_eq!(created_by, Some(ada.id.0));
}
