x = {}
for i = 1, 1e9 do x[i] = i end
