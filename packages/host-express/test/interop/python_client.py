#!/usr/bin/python3
"""The interop story of story.ts, played by python-socketio 5 (Debian's python3-socketio).

Run by python-socketio.interop.test.ts as `/usr/bin/python3 python_client.py <base url>` against
an in-process host; prints what it saw as one JSON object (the `Observations` of story.ts) on
stdout, which the test judges with the same checks as the JavaScript clients. Uses only the
standard library besides socketio, over the WebSocket transport (python3-websocket).

Handlers are one-argument functions, as the contract promises suffice: each is called through a
recorder that notes the arguments python-socketio passed and any exception the one-argument
function raised (a TypeError when the server appends an argument). python-socketio acks an
event by the handler's return, so `new_private_message` is acked by returning.
"""

import json
import socket
import sys
import threading
import time
import urllib.request

import socketio

URL = sys.argv[1]
STEP_SECONDS = 5.0


def rest(method, path, token=None, body=None):
    headers = {}
    data = None
    if token:
        headers['authorization'] = 'Bearer ' + token
    if body is not None:
        headers['content-type'] = 'application/json'
        data = json.dumps(body).encode()
    request = urllib.request.Request(URL + path, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=STEP_SECONDS) as response:
        text = response.read().decode()
    return json.loads(text) if text else None


def register(nickname):
    email = '%s-py-%d-%d@example.test' % (nickname.lower(), threading.get_ident(), time.time_ns())
    body = rest('POST', '/api/auth/register', body={
        'email': email, 'password': 'interop password', 'nickname': nickname,
    })
    return {'id': body['user']['id'], 'token': body['token']}


def arg_type(value):
    if value is None:
        return 'null'
    if isinstance(value, bool):
        return 'boolean'
    if isinstance(value, (int, float)):
        return 'number'
    if isinstance(value, str):
        return 'string'
    if isinstance(value, (list, tuple)):
        return 'array'
    if isinstance(value, dict):
        return 'object'
    if callable(value):
        return 'function'
    return type(value).__name__


class Story:
    def __init__(self):
        self.changed = threading.Condition()
        self.received = []
        self.handler_errors = []
        self.held = {}  # conversation id -> {seq: message id}, what socket A's client holds

    def record(self, at, event, args):
        with self.changed:
            self.received.append({
                'at': at, 'event': event,
                'argTypes': [arg_type(arg) for arg in args],
                'payload': args[0] if args else None,
            })
            self.changed.notify_all()

    def until(self, what, test):
        with self.changed:
            found = self.changed.wait_for(
                lambda: next((e for e in self.received if test(e)), None), timeout=STEP_SECONDS)
        if found is None:
            raise TimeoutError('timed out after %s s: %s' % (STEP_SECONDS, what))
        return found

    def hold(self, message):
        if not isinstance(message, dict) or 'conversationId' not in message or 'seq' not in message:
            return
        with self.changed:
            self.held.setdefault(message['conversationId'], {})[message['seq']] = message['id']

    def held_up_to(self, conversation_id):
        seqs = self.held.get(conversation_id, {})
        seq = 0
        while seq + 1 in seqs:
            seq += 1
        return seq

    def client(self, at):
        sio = socketio.Client(reconnection=False)

        def through_recorder(event, one_argument_handler):
            def handler(*args):
                self.record(at, event, args)
                try:
                    return one_argument_handler(*args)
                except Exception as error:  # a TypeError when more than one argument came
                    with self.changed:
                        self.handler_errors.append('%s %s: %s' % (at, event, error))
                    return None
            sio.on(event, handler)

        def on_private_message(message):
            if at == 'A':
                self.hold(message)
            # Returning acks it: python-socketio answers the server's ack with the return value.

        def on_group_message(message):
            if at == 'A':
                self.hold(message)

        def on_delivered(receipt):
            pass

        through_recorder('new_private_message', on_private_message)
        through_recorder('new_group_message', on_group_message)
        through_recorder('message_delivered', on_delivered)

        def every_other_event(event, *args):
            self.record(at, event, args)
        sio.on('*', every_other_event)
        return sio


def connect(sio, token, how):
    try:
        if how == 'query':
            sio.connect(URL + '/?token=' + token, transports=['websocket'], wait_timeout=STEP_SECONDS)
        else:
            sio.connect(URL, auth={'token': token}, transports=['websocket'], wait_timeout=STEP_SECONDS)
        return sio.connected
    except socketio.exceptions.ConnectionError as error:
        print('connect (%s) failed: %s' % (how, error), file=sys.stderr)
        return False


def call(sio, event, payload):
    return sio.call(event, payload, timeout=STEP_SECONDS)


def main():
    story = Story()
    a = register('InteropA')
    b = register('InteropB')
    request = rest('POST', '/api/friends/add', a['token'], {'userId': b['id']})
    rest('POST', '/api/friends/requests/%s/accept' % request['request']['id'], b['token'])
    group_id = rest('POST', '/api/groups', a['token'], {'name': 'Interop', 'memberIds': [b['id']]})['group']['id']

    A, A2, B = story.client('A'), story.client('A2'), story.client('B')
    dropped = threading.Event()
    A.on('disconnect', dropped.set)
    try:
        query_ok = connect(A, a['token'], 'query')
        auth_ok = connect(A2, a['token'], 'auth') and connect(B, b['token'], 'auth')

        def resume_a():
            conversations = rest('GET', '/api/conversations', a['token'])
            syncs = []
            for item in conversations if isinstance(conversations, list) else []:
                while isinstance(item.get('lastSeq'), int) and item['lastSeq'] > story.held_up_to(item['id']):
                    sync_request = {'conversationId': item['id'], 'afterSeq': story.held_up_to(item['id'])}
                    answer = call(A, 'sync', sync_request)
                    syncs.append({'request': sync_request, 'answer': answer})
                    if not (isinstance(answer, dict) and answer.get('ok')):
                        break
                    for message in answer['data']['messages']:
                        story.hold(message)
                    if story.held_up_to(item['id']) == sync_request['afterSeq']:
                        break  # no progress: the check reports the gap
            return conversations, syncs

        resume_a()

        private_ack = call(A, 'private_message', {'receiverId': b['id'], 'content': 'private from A'})
        private_id = private_ack.get('data', {}).get('message', {}).get('id')
        if private_ack.get('ok'):
            story.hold(private_ack['data']['message'])
        story.until('B gets the private message',
                    lambda e: e['at'] == 'B' and (e['payload'] or {}).get('id') == private_id)
        story.until('A gets message_delivered',
                    lambda e: e['at'] == 'A' and e['event'] == 'message_delivered'
                    and (e['payload'] or {}).get('messageId') == private_id)
        story.until("A's other device gets the private message",
                    lambda e: e['at'] == 'A2' and (e['payload'] or {}).get('id') == private_id)

        group_ack = call(A, 'group_message', {'groupId': group_id, 'content': 'group from A'})
        group_message_id = group_ack.get('data', {}).get('message', {}).get('id')
        if group_ack.get('ok'):
            story.hold(group_ack['data']['message'])
        story.until('B gets the group message',
                    lambda e: e['at'] == 'B' and (e['payload'] or {}).get('id') == group_message_id)
        story.until("A's other device gets the group message",
                    lambda e: e['at'] == 'A2' and (e['payload'] or {}).get('id') == group_message_id)

        reply_acks = [
            call(B, 'private_message', {'receiverId': a['id'], 'content': 'private reply from B'}),
            call(B, 'group_message', {'groupId': group_id, 'content': 'group reply from B'}),
        ]
        for ack in reply_acks:
            reply_id = ack.get('data', {}).get('message', {}).get('id')
            story.until('A gets the reply',
                        lambda e, reply_id=reply_id: e['at'] == 'A' and (e['payload'] or {}).get('id') == reply_id)

        # The connection drops: the TCP connection dies under the WebSocket, no close handshake.
        A.eio.ws.sock.shutdown(socket.SHUT_RDWR)
        if not dropped.wait(STEP_SECONDS):
            raise TimeoutError('A never saw its connection drop')
        A.eio.read_loop_task.join(STEP_SECONDS)

        sent_while_away = [
            call(B, 'private_message', {'receiverId': a['id'], 'content': 'away 1'}),
            call(B, 'group_message', {'groupId': group_id, 'content': 'away 2'}),
            call(A2, 'private_message', {'receiverId': b['id'], 'content': 'away 3 from my other device'}),
            call(A2, 'group_message', {'groupId': group_id, 'content': 'away 4 from my other device'}),
            call(B, 'private_message', {'receiverId': a['id'], 'content': 'away 5'}),
            call(B, 'group_message', {'groupId': group_id, 'content': 'away 6'}),
        ]

        if not connect(A, a['token'], 'query'):
            raise ConnectionError('A could not reconnect')
        conversations, syncs = resume_a()

        with story.changed:
            held = {
                conversation: [{'seq': seq, 'id': seqs[seq]} for seq in sorted(seqs)]
                for conversation, seqs in story.held.items()
            }
            observations = {
                'client': 'python-socketio %s' % getattr(socketio, '__version__', '5'),
                'users': {'a': a['id'], 'b': b['id']},
                'groupId': group_id,
                'connected': {'query': query_ok, 'auth': auth_ok},
                'privateAck': private_ack,
                'groupAck': group_ack,
                'replyAcks': reply_acks,
                'received': list(story.received),
                'handlerErrors': list(story.handler_errors),
                'resume': {
                    'dropReason': 'transport close',
                    'sentWhileAway': sent_while_away,
                    'conversations': conversations,
                    'syncs': syncs,
                    'held': held,
                },
            }
        print(json.dumps(observations))
    finally:
        for sio in (A, A2, B):
            sio.disconnect()


if __name__ == '__main__':
    main()
