//! The reference's request examples, built through the generated fluent constructors, are
//! JSON-equal to the examples: `new` with the required fields, plain values for optional
//! ones, singular methods that append, entry methods for maps.

mod common;

use common::{assert_json_eq, seed, sms_example};
use noxitel_api::types::{
    Contact, SendOtpRequest, SendSmsRequest, SendWhatsappMessageRequest, SmsDlrRequest,
    VoiceCallRequest, VoiceTts, WhatsappContact, WhatsappContactParameters, WhatsappMessageType,
    WhatsappTemplateButtonParameter, WhatsappTemplateHeaderParameter,
};

fn json(value: impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(value).expect("serializes")
}

#[test]
fn the_sms_example() {
    assert_json_eq(&json(sms_example()), &seed("sms-send-request-curl.json"));
}

#[test]
fn lists_and_maps_can_also_be_given_whole() {
    let one_by_one = SendSmsRequest::new()
        .contact(Contact::new("919887111111").param("name", "Sam"))
        .contact(Contact::new("919887222222"));
    let whole = SendSmsRequest::new().contacts([
        Contact::new("919887111111").parameters([("name", "Sam")]),
        Contact::new("919887222222"),
    ]);
    assert_eq!(one_by_one, whole);
    assert_eq!(whole.contacts.len(), 2);
}

#[test]
fn the_dlr_examples() {
    let by_batch = SmsDlrRequest::new().batch_id("samsms_eink1rilz6ucphk");
    assert!(by_batch.sms_id.is_none());
    assert_json_eq(&json(by_batch), &seed("sms-dlr-request-by-batch.json"));
    let expected = seed("sms-dlr-request-by-sms-id.json");
    assert_json_eq(
        &json(SmsDlrRequest::new().sms_id(expected["sms_id"].as_str().unwrap())),
        &expected,
    );
}

#[test]
fn the_otp_example() {
    assert_json_eq(
        &json(SendOtpRequest::new(27, "919887111111")),
        &seed("otp-send-request.json"),
    );
}

#[test]
fn the_voice_example() {
    let call = VoiceCallRequest::new("YOUR_VOICE_NUMBER", "919887111111")
        .tts(
            VoiceTts::new("Your Noxitel OTP is 8 4 7 2 9 1. Do not share this with anyone.")
                .language("en-IN")
                .voice("female")
                .repeat(2),
        )
        .notify_url("https://yourapp.com/webhook/voice");
    assert_json_eq(&json(call), &seed("voice-call-request.json"));
}

#[test]
fn the_whatsapp_template_example() {
    let contact = WhatsappContact::new("919887111111").parameters(
        WhatsappContactParameters::new()
            .header([WhatsappTemplateHeaderParameter::new("text", "Hello!")])
            .body(["Sam", "Special Offer"])
            .button(WhatsappTemplateButtonParameter::new(0).url("https://brand.com/offer")),
    );
    let message = SendWhatsappMessageRequest::new([contact])
        .phone_id("1234567890")
        .type_(WhatsappMessageType::Template)
        .template_id("welcome_template");
    assert_json_eq(
        &json(message),
        &seed("whatsapp-send-request-template-curl.json"),
    );
}
