//! The recommender's rules as specifications, on a small outdoor shop.

use vitrine_recommender::{
    Channel, Context, Dataset, Interaction, Kind, Model, ModelConfig, Query, Reason,
    Recommendation, Recommender,
};

const DAY: i64 = 86_400;
const T0: i64 = 1_700_000_000;

/// Baskets of a small shop: tents go with mats (most), stoves and lamps; boots with socks.
fn shop_interactions() -> Vec<Interaction> {
    let baskets: &[(&[&str], usize)] = &[
        (&["tent", "mat"], 5),
        (&["tent", "stove"], 3),
        (&["tent", "lamp"], 2),
        (&["boots", "socks"], 4),
        (&["jacket"], 6),
        (&["tent", "mat", "stove"], 1),
    ];
    let mut out = Vec::new();
    let mut n = 0;
    for (skus, times) in baskets {
        for _ in 0..*times {
            n += 1;
            for sku in skus.iter() {
                out.push(Interaction::purchase(format!("c{n}"), *sku, T0 + n * DAY));
            }
        }
    }
    out
}

fn dataset(interactions: &[Interaction]) -> Dataset {
    let mut data = Dataset::new();
    interactions.iter().for_each(|i| data.push(i));
    data
}

fn shop() -> Model {
    Model::build(&dataset(&shop_interactions()), &ModelConfig::default())
}

fn skus(answer: &[Recommendation]) -> Vec<&str> {
    answer.iter().map(|r| r.sku.as_str()).collect()
}

fn till_purchase(profile: &str, sku: &str, store: &str, at: i64) -> Interaction {
    Interaction {
        channel: Channel::Store,
        store: Some(store.into()),
        ..Interaction::purchase(profile, sku, at)
    }
}

#[test]
fn never_recommends_items_bought_in_store() {
    let model = shop();
    let on_tent_page = |history| Query {
        context: Context::Product("tent"),
        limit: 5,
        ..Query::new(history)
    };
    // Without the till receipt the mat is the first thing shown with a tent...
    assert_eq!(skus(&model.recommend(&on_tent_page(&[])))[0], "mat");
    // ...and a mat bought at a till never comes back, on the product page or at home.
    let history = [till_purchase("anna", "mat", "koeln", T0 + 30 * DAY)];
    let product = model.recommend(&on_tent_page(&history));
    let home = model.recommend(&Query {
        limit: 7,
        ..Query::new(&history)
    });
    assert!(!product.is_empty() && !home.is_empty());
    assert!(!skus(&product).contains(&"mat"));
    assert!(!skus(&home).contains(&"mat"));
}

#[test]
fn never_recommends_the_product_on_screen_or_in_the_cart() {
    let model = shop();
    let product = model.recommend(&Query {
        context: Context::Product("mat"),
        limit: 7,
        ..Query::new(&[])
    });
    assert!(!skus(&product).contains(&"mat"));
    let cart = vec!["tent".to_owned(), "boots".to_owned()];
    let answer = model.recommend(&Query {
        context: Context::Cart(&cart),
        limit: 7,
        ..Query::new(&[])
    });
    assert!(!skus(&answer).contains(&"tent") && !skus(&answer).contains(&"boots"));
    assert_eq!(
        answer[0].reason,
        Reason::BoughtTogetherWith { sku: "tent".into() }
    );
}

#[test]
fn never_recommends_items_out_of_stock_everywhere() {
    let model = shop();
    let in_stock = |sku: &str| sku != "mat" && sku != "jacket";
    for context in [Context::Product("tent"), Context::Home] {
        let answer = model.recommend(&Query {
            context,
            limit: 7,
            available: &in_stock,
            ..Query::new(&[])
        });
        assert!(!answer.is_empty());
        assert!(answer.iter().all(|r| in_stock(&r.sku)), "{answer:?}");
    }
}

#[test]
fn the_store_filter_keeps_only_items_in_stock_at_that_store() {
    let model = shop();
    let at_koeln = |sku: &str| matches!(sku, "lamp" | "socks");
    let answer = model.recommend(&Query {
        context: Context::Product("tent"),
        limit: 5,
        store_filter: Some(&at_koeln),
        ..Query::new(&[])
    });
    assert_eq!(skus(&answer), ["lamp", "socks"]);
}

#[test]
fn a_new_purchase_in_the_history_changes_the_next_answer() {
    let model = shop();
    let mut history = vec![Interaction::purchase("anna", "tent", T0 + 40 * DAY)];
    let before = model.recommend(&Query {
        limit: 3,
        ..Query::new(&history)
    });
    assert_eq!(skus(&before)[0], "mat");
    history.push(till_purchase("anna", "mat", "koeln", T0 + 41 * DAY));
    let after = model.recommend(&Query {
        limit: 3,
        ..Query::new(&history)
    });
    assert_ne!(before, after);
    assert!(!skus(&after).contains(&"mat"));
    assert_eq!(skus(&after)[0], "stove");
}

#[test]
fn reasons_cite_the_purchase_with_its_channel_and_store() {
    let model = shop();
    let history = [till_purchase("anna", "boots", "koeln", T0 + 40 * DAY)];
    let answer = model.recommend(&Query {
        limit: 1,
        ..Query::new(&history)
    });
    assert_eq!(answer[0].sku, "socks");
    assert_eq!(
        answer[0].reason,
        Reason::BecauseYouBought {
            sku: "boots".into(),
            channel: Channel::Store,
            store: Some("koeln".into()),
        }
    );
    let viewed = [Interaction {
        kind: Kind::View,
        ..Interaction::purchase("ben", "boots", T0 + 40 * DAY)
    }];
    let answer = model.recommend(&Query {
        limit: 1,
        ..Query::new(&viewed)
    });
    assert_eq!(
        answer[0].reason,
        Reason::BecauseYouViewed {
            sku: "boots".into()
        }
    );
}

#[test]
fn cold_start_gets_trending_then_popular_items() {
    let model = shop();
    let answer = model.recommend(&Query {
        limit: 3,
        ..Query::new(&[])
    });
    assert_eq!(answer.len(), 3);
    // One trending place (jackets sold most in the last days), then the best sellers.
    assert_eq!(answer[0].reason, Reason::Trending);
    assert!(answer[1..].iter().all(|r| r.reason == Reason::Popular));
    assert_eq!(skus(&answer), ["jacket", "tent", "mat"]);
}

#[test]
fn short_model_answers_are_filled_up_with_popular_items() {
    let model = shop();
    let history = [Interaction::purchase("anna", "boots", T0 + 40 * DAY)];
    let answer = model.recommend(&Query {
        limit: 4,
        ..Query::new(&history)
    });
    // Boots only go with socks; the other places are trending and popular, never the boots.
    assert_eq!(answer.len(), 4);
    assert_eq!(answer[0].sku, "socks");
    assert!(answer[1..]
        .iter()
        .all(|r| matches!(r.reason, Reason::Popular | Reason::Trending)));
    assert!(!skus(&answer).contains(&"boots"));
}

#[test]
fn same_input_gives_the_same_answer_also_across_a_rebuild_and_event_order() {
    let interactions = shop_interactions();
    let mut reversed = interactions.clone();
    reversed.reverse();
    let history = [
        Interaction::purchase("anna", "tent", T0 + 40 * DAY),
        Interaction {
            kind: Kind::View,
            ..Interaction::purchase("anna", "boots", T0 + 41 * DAY)
        },
    ];
    let query = Query {
        limit: 7,
        ..Query::new(&history)
    };
    let recommender = Recommender::new(shop());
    let first = recommender.recommend(&query);
    recommender.rebuild(&dataset(&interactions), &ModelConfig::default());
    assert_eq!(recommender.recommend(&query), first);
    recommender.rebuild(&dataset(&reversed), &ModelConfig::default());
    assert_eq!(recommender.recommend(&query), first);
    assert_eq!(shop().recommend(&query), first);
}

#[test]
fn observed_events_change_popularity_without_a_rebuild() {
    let recommender = Recommender::new(shop());
    let snapshot_before = recommender.snapshot();
    let cold = Query {
        limit: 2,
        ..Query::new(&[])
    };
    let lamps: Vec<Interaction> = (0..20)
        .map(|i| till_purchase(&format!("d{i}"), "lamp", "koeln", T0 + 60 * DAY))
        .collect();
    recommender.observe_all(&lamps);
    let answer = recommender.recommend(&cold);
    assert_eq!(answer[0].sku, "lamp");
    assert_eq!(answer[0].reason, Reason::Trending);
    // A snapshot taken before stays as it was: readers see a consistent state.
    assert_ne!(skus(&snapshot_before.recommend(&cold))[0], "lamp");
    // A product the model has never seen can be recommended as soon as it sells.
    recommender.observe_all(
        &(0..40)
            .map(|i| Interaction::purchase(format!("e{i}"), "hammock", T0 + 61 * DAY))
            .collect::<Vec<_>>(),
    );
    assert_eq!(recommender.recommend(&cold)[0].sku, "hammock");
}

#[test]
fn a_swap_keeps_events_observed_after_the_new_models_data() {
    let recommender = Recommender::new(shop());
    recommender.observe_all(
        &(0..40)
            .map(|i| Interaction::purchase(format!("e{i}"), "hammock", T0 + 61 * DAY))
            .collect::<Vec<_>>(),
    );
    // The rebuild read the event store before the hammocks sold: they must not be lost.
    recommender.rebuild(&dataset(&shop_interactions()), &ModelConfig::default());
    let cold = Query {
        limit: 1,
        ..Query::new(&[])
    };
    assert_eq!(recommender.recommend(&cold)[0].sku, "hammock");
    // Kept events are re-indexed for the new model: a second rebuild still counts them.
    recommender.rebuild(&dataset(&shop_interactions()), &ModelConfig::default());
    assert_eq!(recommender.recommend(&cold)[0].sku, "hammock");
}
