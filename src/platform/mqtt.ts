import net from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

/**
 * MQTT for the meters (DESIGN §7): an embedded broker (aedes) when no GRANARY_MQTT_URL is given, and the
 * client Granary and the simulated head-end use against either broker.
 */
export interface EmbeddedBroker {
  url: string;
  close(): Promise<void>;
}

/** An aedes broker on loopback (port 0: any free port). In memory: a restart loses only what clients resend. */
export async function startEmbeddedBroker(port: number): Promise<EmbeddedBroker> {
  const broker = await Aedes.createBroker();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as net.AddressInfo).port;
  return {
    url: `mqtt://127.0.0.1:${actual}`,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A client with a persistent session (clean: false, QoS 1 by the callers): messages published while the
 * broker is away wait in the client's store and go out on reconnect, which it retries every half second.
 */
export async function connectMqtt(url: string, clientId: string, options: IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(url, { clientId, clean: false, reconnectPeriod: 500, connectTimeout: 5_000, ...options });
}

/** `<prefix>/ami/<meterNo>/<leaf>` and the meter number back from such a topic. */
export const amiTopic = (prefix: string, meterNo: string, leaf: 'reads' | 'cmd' | 'ack') => `${prefix}/ami/${meterNo}/${leaf}`;
export function meterOfTopic(prefix: string, topic: string): string | null {
  const parts = topic.split('/');
  const base = prefix.split('/').length;
  return parts.length === base + 3 && parts[base] === 'ami' ? parts[base + 1]! : null;
}
