"""Editor latency on one large file: opens a 5 MB Terraform file (28,375 security groups, each with
SSH open: 1,000 findings reported and a note for the rest) in `portcullis lsp` over stdio, then
makes five one-character edits, and prints the time to each publishDiagnostics and the server's
peak resident memory. Usage: python3 scripts/lsp-large-file.py [BINARY]"""
import json, os, subprocess, sys, tempfile, time

binary = sys.argv[1] if len(sys.argv) > 1 else 'target/release/portcullis'
block = """resource "aws_security_group" "sg{i}" {{
  name = "sg{i}"
  ingress {{
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}
"""
parts, size, i = [], 0, 0
while size < 5_000_000:
    parts.append(block.format(i=i))
    size += len(parts[-1])
    i += 1
text = ''.join(parts)
path = os.path.join(tempfile.mkdtemp(prefix='portcullis-lsp-large-'), 'main.tf')
open(path, 'w').write(text)
uri = 'file://' + os.path.abspath(path)
proc = subprocess.Popen([binary, 'lsp'], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
def send(msg):
    body = json.dumps(msg).encode()
    proc.stdin.write(b'Content-Length: %d\r\n\r\n' % len(body) + body); proc.stdin.flush()
def recv():
    headers = {}
    while True:
        line = proc.stdout.readline().decode().strip()
        if not line: break
        k, v = line.split(':', 1); headers[k.lower()] = v.strip()
    return json.loads(proc.stdout.read(int(headers['content-length'])))
def wait_publish():
    while True:
        m = recv()
        if m.get('method') == 'textDocument/publishDiagnostics' and m['params']['uri'] == uri:
            return m
send({'jsonrpc':'2.0','id':1,'method':'initialize','params':{'processId':None,'rootUri':'file://'+os.path.dirname(os.path.abspath(path)),'capabilities':{},'initializationOptions':{'debounceMs':0}}})
while recv().get('id') != 1: pass
send({'jsonrpc':'2.0','method':'initialized','params':{}})
t=time.time()
send({'jsonrpc':'2.0','method':'textDocument/didOpen','params':{'textDocument':{'uri':uri,'languageId':'terraform','version':1,'text':text}}})
m=wait_publish(); open_ms=(time.time()-t)*1000
edits=[]
for v in range(2,7):
    t=time.time()
    send({'jsonrpc':'2.0','method':'textDocument/didChange','params':{'textDocument':{'uri':uri,'version':v},'contentChanges':[{'range':{'start':{'line':1,'character':10},'end':{'line':1,'character':10}},'text':'x'}]}})
    while True:
        m=wait_publish()
        if m['params'].get('version')==v: break
    edits.append((time.time()-t)*1000)
hwm=[l for l in open(f'/proc/{proc.pid}/status') if l.startswith('VmHWM')][0].split()[1]
print(f"open {open_ms:.0f} ms, {len(m['params']['diagnostics'])} diagnostics; edits {', '.join(f'{e:.0f}' for e in edits)} ms; peak RSS {int(hwm)//1024} MiB")
proc.kill()
