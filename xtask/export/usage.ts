// Usage file for the TypeScript types exported by `cargo xtask export --lang typescript`.
// `cargo xtask export` copies it next to the generated `noxitel-api.ts` and type-checks both
// with `tsc --noEmit --strict`: it must compile against the types of the current document.
import type { components, operations, paths } from "./noxitel-api";

type SendSmsRequest = components["schemas"]["SendSmsRequest"];
type SendSmsResponse = components["schemas"]["SendSmsResponse"];

// The reference's cURL example body of `POST /sms`.
const request: SendSmsRequest = {
  campaignId: 1,
  routeId: 1,
  sender: "NOXITEL",
  mode: "text",
  message: "Hi #name#, your OTP is #otp#",
  contacts: [{ mobile: "919887111111", parameters: { name: "Sam", otp: "847291" } }],
  notifyUrl: "https://yourapp.com/webhook/sms",
  dlt_entity_id: "1234567890",
  dlt_template_id: "1234567890",
};

// The body type of the operation is the component schema.
type SendSmsBody = NonNullable<operations["sendSms"]["requestBody"]>["content"]["application/json"];
const body: SendSmsBody = request;

// A mode outside the enum must not compile.
// @ts-expect-error "loud" is not an SmsMode
const wrongMode: SendSmsRequest = { mode: "loud" };

type SendSmsOk = paths["/sms"]["post"]["responses"][200]["content"]["application/json"];

/** Reads what a client needs from an answer of `POST /sms`. */
export function summarize(answer: SendSmsOk): string {
  const response: SendSmsResponse = answer;
  const ids: string[] = (response.message_id ?? []).map((m) => `${m.mobile}: ${m.sms_id}`);
  const total: number | undefined = response.total_contacts;
  const batch: string = response.batch_id;
  return `${response.status} batch ${batch} (${total ?? ids.length} contacts) ${ids.join(", ")}`;
}

// Open enums: a value the API adds later is still a valid status (`x-noxitel-extensible`).
const laterStatus: components["schemas"]["RcsDeliveryStatus"] = "expired";
const knownStatus: components["schemas"]["RcsDeliveryStatus"] = "delivered";

export const example = { request, body, wrongMode, laterStatus, knownStatus };
