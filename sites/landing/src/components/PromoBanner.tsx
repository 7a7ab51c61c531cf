// The promo banner island: shown while the campaign's boolean flag is on. The server renders it
// as it evaluated the flag (so it works without JavaScript); in the browser the stock OpenFeature
// web SDK with the OFREP web provider asks the gateway's /ofrep (bulk, ETag) and follows its
// change stream, so the banner comes and goes without a reload when staff toggle the flag.
import { OFREPWebProvider } from '@openfeature/ofrep-web-provider';
import { OpenFeature, ProviderEvents } from '@openfeature/web-sdk';
import { createSignal, onCleanup, onMount, Show } from 'solid-js';

interface Props {
  /** The gateway as the browser reaches it (the provider appends /ofrep/v1/…). */
  gatewayUrl: string;
  flag: string;
  text: string;
  label: string;
  /** The evaluation context the server used (the visitor id as targeting key). */
  context: Record<string, string>;
  initiallyOn: boolean;
}

const DOMAIN = 'landing';

export default function PromoBanner(props: Props) {
  const [on, setOn] = createSignal(props.initiallyOn);
  onMount(() => {
    const client = OpenFeature.getClient(DOMAIN);
    // Until the provider is ready (or while the gateway cannot be reached) the server's answer
    // stands; a disabled flag answers the code default, off.
    const read = () => setOn(client.getBooleanValue(props.flag, false));
    client.addHandler(ProviderEvents.Ready, read);
    client.addHandler(ProviderEvents.ConfigurationChanged, read);
    void OpenFeature.setContext(DOMAIN, props.context).then(() =>
      OpenFeature.setProvider(
        DOMAIN,
        new OFREPWebProvider({
          baseUrl: props.gatewayUrl,
          changeDetection: 'sse',
          cacheMode: 'network-first',
        }),
      ),
    );
    onCleanup(() => {
      client.removeHandler(ProviderEvents.Ready, read);
      client.removeHandler(ProviderEvents.ConfigurationChanged, read);
    });
  });
  return (
    <div class="promo-slot" aria-live="polite">
      <Show when={on()}>
        <aside class="promo" aria-label={props.label}>
          <p>{props.text}</p>
        </aside>
      </Show>
    </div>
  );
}
