-- The slides' code blocks (see python/synthspectrum/workshop/slides.py):
--   {.python .run-only}  drew the deck's figures before pandoc ran: removed from the deck;
--   {.python .show-only} shown, never run: shown as a plain Python block.
function CodeBlock(block)
  if block.classes:includes("run-only") then
    return {}
  end
  local kept = pandoc.List()
  for _, c in ipairs(block.classes) do
    if c ~= "show-only" then kept:insert(c) end
  end
  block.classes = kept
  return block
end
